package dev.ra.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ra.MemberChange;
import dev.ra.RaSystem;
import dev.ra.ServerId;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that only registered a cluster, whose members are all replaced one by one (add a member, remove an old one)
 * while it keeps calling: it never learned the new members, so once the last member it was told of was removed it
 * forgot the cluster as "deleted", and it could never address a new member. Its calls now learn the current members
 * from the answers they get (as etcd clients refresh their endpoints).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RollingReplacementClientTest
{
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final InJvmCluster nodes = new InJvmCluster(7);

    @AfterEach
    void close()
    {
        nodes.close();
    }

    @Test
    void aClientNodeFollowsARollingReplacementOfEveryMember()
    {
        final List<ServerId> initial = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
            new ServerId("kv", "n3"));
        nodes.system("n1").startCluster("kv", new KvMachine(), initial);
        final RaSystem client = nodes.system("n7");
        client.registerCluster("kv", new KvMachine(), initial);
        client.processCommand(initial.get(0), new KvMachine.Put("k", "0"), CALL_TIMEOUT);

        final List<ServerId> current = new ArrayList<>(initial);
        for (int i = 0; i < initial.size(); i++)
        {
            final ServerId old = initial.get(i);
            final ServerId added = new ServerId("kv", "n" + (4 + i));
            final ServerId staying = current.get(current.size() - 1);
            final MemberChange change = nodes.system(staying).addMember(staying, added);
            current.add(added);
            nodes.system(added).startServer("kv", new KvMachine(), added, current, change);
            nodes.system(staying).removeMember(staying, old);
            current.remove(old);
            InJvmCluster.await(() -> !nodes.system(old).isRunning(old), CALL_TIMEOUT, old + " to stop");

            client.processCommand(initial.get(0), new KvMachine.Put("k", String.valueOf(i + 1)), CALL_TIMEOUT);
        }

        assertThat(client.members(initial.get(0))).containsExactlyInAnyOrderElementsOf(current);
        // Addressed to a member added after the registration.
        assertThat(client.processCommand(current.get(current.size() - 1), new KvMachine.Put("k", "last"),
            CALL_TIMEOUT).leader()).isIn(current);
    }
}
