package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.protocol.Membership;
import dev.ra.testkit.InJvmCluster;
import dev.ra.testkit.KvMachine;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The API's {@link MemberKind} reaches the configuration as the member's {@link Membership}: each kind maps to the
 * wire value of the same meaning, and a member added through {@link RaSystem#addMemberAsync} behaves as its kind says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemberKindTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final InJvmCluster cluster = new InJvmCluster(4);
    private final List<ServerId> members = List.of(new ServerId("kv", "n1"), new ServerId("kv", "n2"),
        new ServerId("kv", "n3"));
    private final ServerId newcomer = new ServerId("kv", "n4");

    @AfterEach
    void close()
    {
        cluster.close();
    }

    @Test
    void everyKindMapsToTheMembershipOfTheSameNameAndEveryMembershipIsReached()
    {
        for (final MemberKind kind : MemberKind.values())
        {
            assertThat(kind.toMembership().name()).as(kind.name()).isEqualTo(kind.name());
        }
        assertThat(Arrays.stream(MemberKind.values()).map(MemberKind::toMembership))
            .containsExactlyInAnyOrder(Membership.values());
    }

    @Test
    void aNonVoterReplicatesButCannotBeMadeLeader()
    {
        final RaSystem n1 = add(MemberKind.NON_VOTER);

        assertThatThrownBy(() -> n1.transferLeadership(members.get(0), newcomer))
            .isInstanceOf(MembershipChangeException.class)
            .extracting(e -> ((MembershipChangeException)e).reason())
            .isEqualTo(MembershipChangeException.Reason.NON_VOTER);
    }

    @Test
    void aPromotableMemberBecomesAVoterOnceCaughtUp()
    {
        final RaSystem n1 = add(MemberKind.PROMOTABLE);

        // Refused (as a non-voter) until the leader has promoted it; a voter that is up to date can be made leader.
        InJvmCluster.await(() ->
        {
            n1.transferLeadership(members.get(0), newcomer);
            return true;
        }, WAIT, "the promotable member to be promoted");
        InJvmCluster.await(() -> newcomer.equals(n1.leader(members.get(0))), WAIT, "the promoted member to lead");
    }

    @Test
    void theTypedHandleAddsAndStartsAMemberOfTheGivenKind()
    {
        final RaCluster<Object, Map<String, String>, Object> kv =
            cluster.system("n1").startCluster("kv", new KvMachine(), Object.class, members);

        kv.addMember(newcomer, MemberKind.NON_VOTER);

        assertThat(kv.members()).contains(newcomer);
        InJvmCluster.await(() -> cluster.system("n4").isRunning(newcomer), WAIT, "the new member to run");
        assertThatThrownBy(() -> kv.transferLeadership(newcomer))
            .isInstanceOf(MembershipChangeException.class)
            .extracting(e -> ((MembershipChangeException)e).reason())
            .isEqualTo(MembershipChangeException.Reason.NON_VOTER);
    }

    /**
     * Start a three-member cluster, add the newcomer with the given kind, start it, and wait until it has applied a
     * write made after it joined.
     */
    private RaSystem add(final MemberKind kind)
    {
        final RaSystem n1 = cluster.system("n1");
        n1.startCluster("kv", new KvMachine(), members);

        n1.addMemberAsync(members.get(0), newcomer, kind).join();
        final RaSystem n4 = cluster.system("n4");
        n4.startServer("kv", new KvMachine(), newcomer, members);
        n1.processCommand(members.get(0), new KvMachine.Put("after", kind.name()));

        InJvmCluster.await(() -> kind.name().equals(
            n4.<Map<String, String>, String>localQuery(newcomer, s -> s.get("after")).result()), WAIT,
            "the " + kind + " member to replicate");
        assertThat(n1.members(members.get(0))).contains(newcomer);
        return n1;
    }
}
