package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.codec.Codecs;
import dev.ra.testkit.InJvmCluster;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Arguments of the public API that no node can work with: each must be refused at once, at the caller, with an
 * exception naming the argument and what is wrong.
 */
class ApiReviewTest
{
    /**
     * A name holding half of a surrogate pair passed the name check, but cannot be written as UTF-8: every encoder
     * writes {@code ?} in its place, so {@code kv\uD800@n1} reached other nodes, the log and the file system as
     * {@code kv?@n1}, the id of another server (and its data directory). Right: the id is refused where it is made,
     * as are node ids and process refs with such a name.
     */
    @Test
    void anIdWithAnUnpairedSurrogateIsRefused()
    {
        final ServerId broken = catchServerId("kv\uD800", "n1");
        if (null != broken)
        {
            // What the id turned into on the way: the id of another server.
            assertThat(Codecs.generic().fromBytes(Codecs.generic().toBytes(broken)))
                .isEqualTo(new ServerId("kv?", "n1"));
        }
        assertThatThrownBy(() -> new ServerId("kv\uD800", "n1")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("server name");
        assertThatThrownBy(() -> new ServerId("kv", "\uDC00n1")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("node id");
        assertThatThrownBy(() -> new ProcessRef("n1\uD800", 1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("node id");
        assertThatThrownBy(() -> RaSystem.builder().nodeId("n\uDBFF")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("node id");
        // A character outside the basic plane (a surrogate pair) is a character like any other.
        assertThat(new ServerId("kv\uD834\uDD1E", "n1").name()).isEqualTo("kv\uD834\uDD1E");
    }

    private static ServerId catchServerId(final String name, final String node)
    {
        try
        {
            return new ServerId(name, node);
        }
        catch (final IllegalArgumentException refused)
        {
            return null;
        }
    }

    /**
     * {@code ApplyResult} refuses a null effect, but with the bare {@link NullPointerException} of
     * {@code List.copyOf}, without a message: the machine's author saw a command fail with "NullPointerException:
     * null" and no hint of which effect of which result, while a {@code stateEnter} returning a null effect is named
     * by its position. Right: the exception names the effects and the position of the null one.
     */
    @Test
    void aNullEffectIsNamedByItsPosition()
    {
        final Effect timer = new Effect.Timer("t", 1);
        assertThatThrownBy(() -> new ApplyResult<>(1, null, Arrays.asList(timer, null)))
            .isInstanceOf(NullPointerException.class).hasMessageContaining("effect").hasMessageContaining("1");
        assertThatThrownBy(() -> ApplyResult.of(1, null, timer, timer, null))
            .isInstanceOf(NullPointerException.class).hasMessageContaining("effect").hasMessageContaining("2");
        assertThatThrownBy(() -> new ApplyResult<>(1, null, null))
            .isInstanceOf(NullPointerException.class).hasMessageContaining("effects");
    }

    /**
     * {@code RaSystem.isRunning(null)} failed with the bare {@link NullPointerException} of a concurrent map's
     * lookup, without a message, where every other method of {@code RaSystem} names its null argument. Right: a
     * NullPointerException naming {@code server}.
     */
    @Test
    void isRunningNamesANullServer()
    {
        try (InJvmCluster cluster = new InJvmCluster(1))
        {
            assertThatThrownBy(() -> cluster.first().isRunning(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("server");
        }
    }

    /**
     * A timer's name is appended to the log with the timeout when the timer fires: one UTF-8 cannot carry failed then,
     * on the leader's loop. It is refused when the machine makes the effect, in its {@code apply}.
     */
    @Test
    void aTimerNameUtf8CannotCarryIsRefusedWhenTheEffectIsMade()
    {
        assertThatThrownBy(() -> new Effect.Timer("t\uD800", 10)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("timer name");
        assertThatThrownBy(() -> new Effect.CancelTimer("t\uDC00")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Effect.Timer("expire session 7", 10).name()).isEqualTo("expire session 7");
    }
}
