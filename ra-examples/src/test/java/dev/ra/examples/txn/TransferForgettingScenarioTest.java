package dev.ra.examples.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.ServerId;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.ToolboxCluster;
import dev.ra.testkit.InJvmCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Transfers through a coordinator that keeps two finished ones: it forgets the others, its driver tells the banks
 * the watermark, they forget their decisions of those ids, and a retry of a forgotten transfer is refused.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TransferForgettingScenarioTest
{
    private static final String COORDINATOR = "coordinator";
    private static final String BANK_A = "bank-a";
    private static final String BANK_B = "bank-b";
    private static final int KEPT = 2;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AccountRef ALICE = new AccountRef(BANK_A, "alice");
    private static final AccountRef BOB = new AccountRef(BANK_B, "bob");

    private final Map<String, DriverHost> hosts = new ConcurrentHashMap<>();
    private final ToolboxCluster world = ToolboxCluster.start(COORDINATOR, (node, builder) ->
    {
        final ServerId local = new ServerId(COORDINATOR, node);
        final DriverHost host = new DriverHost(local, Map.of(BANK_A, members(BANK_A), BANK_B, members(BANK_B)),
            DriverCheckpoint.NONE);
        hosts.put(node, host);
        builder.registerMachine(COORDINATOR, () -> new CoordinatorMachine(local, CoordinatorMachine.DEFAULT_HANDLER,
                ReleaseCursorPolicy.every(8), KEPT))
            .registerMachine(BANK_A, () -> new ParticipantMachine(ReleaseCursorPolicy.every(8)))
            .registerMachine(BANK_B, () -> new ParticipantMachine(ReleaseCursorPolicy.every(8)))
            .modCallHandler(CoordinatorMachine.DEFAULT_HANDLER, host)
            .minSnapshotInterval(8);
    }, (node, system) -> hosts.get(node).attach(system));

    @AfterEach
    void close()
    {
        hosts.values().forEach(DriverHost::close);
        world.close();
    }

    @Test
    void theCoordinatorAndTheBanksForgetTheOldTransfersAndARetryOfOneIsRefused()
    {
        world.system("n1").startCluster(BANK_A, BANK_A, members(BANK_A));
        world.system("n1").startCluster(BANK_B, BANK_B, members(BANK_B));
        final TransferClient transfers = new TransferClient(world.app(), world.members());
        final ParticipantClient bankA = new ParticipantClient(world.app(), members(BANK_A));
        final ParticipantClient bankB = new ParticipantClient(world.app(), members(BANK_B));
        bankA.deposit("alice", 100);
        bankB.deposit("bob", 100);

        final List<TransferResult> results = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            results.add(transfers.transfer(ALICE, BOB, 5, WAIT));
        }

        assertThat(results).allMatch(TransferResult::committed);
        final String first = results.get(0).txId();
        assertThat(transfers.transaction(first)).as("forgotten by the coordinator").isEmpty();
        assertThatThrownBy(() -> transfers.transfer(first, ALICE, BOB, 5, WAIT))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refused");
        for (final String bank : List.of(BANK_A, BANK_B))
        {
            InJvmCluster.await(() -> decidedIds(bank) <= KEPT ? Boolean.TRUE : null, WAIT,
                bank + " forgetting the decisions below the watermark");
        }
        assertThat(bankA.status(first)).isEqualTo(TxStatus.UNKNOWN);
        assertThat(bankA.account("alice").orElseThrow()).isEqualTo(new Account(70, 0));
        assertThat(bankB.account("bob").orElseThrow()).isEqualTo(new Account(130, 0));
    }

    private int decidedIds(final String bank)
    {
        return world.system("n1").<ParticipantState, Integer>localQuery(new ServerId(bank, "n1"),
            state -> state.decided().size()).result();
    }

    private static List<ServerId> members(final String cluster)
    {
        return ToolboxCluster.RA_NODES.stream().map(node -> new ServerId(cluster, node)).toList();
    }
}
