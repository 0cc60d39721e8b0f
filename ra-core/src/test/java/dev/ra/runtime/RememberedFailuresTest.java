package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ClusterUnavailableException;
import dev.ra.ServerId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a node remembers of failed starts and deleted servers, to fail calls at once with the reason, is bounded: a
 * node that creates clusters for years must not keep every id it ever saw fail or go. Failed starts were kept without
 * bound.
 */
class RememberedFailuresTest
{
    @Test
    void failedStartsKeepOnlyTheNewest()
    {
        final FailedStarts failed = new FailedStarts();
        for (int i = 0; i < FailedStarts.CAPACITY + 100; i++)
        {
            failed.record(List.of(new ServerId("c" + i, "n1")), "start " + i + " failed");
        }

        assertThat(failed.size()).isEqualTo(FailedStarts.CAPACITY);
        failed.check(new ServerId("c0", "n1"));
        assertThatThrownBy(() -> failed.check(new ServerId("c" + (FailedStarts.CAPACITY + 99), "n1")))
            .isInstanceOf(ClusterUnavailableException.class).hasMessageContaining("failed");
    }

    @Test
    void deletionsKeepOnlyTheNewest()
    {
        final DeletedServers deleted = new DeletedServers();
        for (int i = 0; i < DeletedServers.CAPACITY + 100; i++)
        {
            deleted.record(new ServerId("c" + i, "n1"), "deleted " + i);
        }

        assertThat(deleted.size()).isEqualTo(DeletedServers.CAPACITY);
        assertThat(deleted.reason(new ServerId("c0", "n1"))).isNull();
        assertThat(deleted.reason(new ServerId("c" + (DeletedServers.CAPACITY + 99), "n1"))).isNotNull();
    }
}
