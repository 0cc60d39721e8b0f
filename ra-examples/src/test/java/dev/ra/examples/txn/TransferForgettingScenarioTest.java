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
 * Transfers through a coordinator that keeps two finished ones, each at least {@link #KEPT_FOR} after its stamp: it
 * forgets the others, its driver tells the banks the watermark, they forget their decisions of those ids, and a retry
 * of a forgotten transfer is refused.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransferForgettingScenarioTest
{
    private static final String COORDINATOR = "coordinator";
    private static final String BANK_A = "bank-a";
    private static final String BANK_B = "bank-b";
    private static final int KEPT = 2;
    /** Wide, so that a begin appended late on a slow machine is not refused. */
    private static final Duration MAX_STAMP_SKEW = Duration.ofSeconds(10);
    private static final Duration KEPT_FOR = MAX_STAMP_SKEW.plusSeconds(2);
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
                ReleaseCursorPolicy.every(8), KEPT, MAX_STAMP_SKEW, KEPT_FOR))
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
        results.add(transfers.transfer(ALICE, BOB, 5, WAIT));
        final String first = results.get(0).txId();
        // The first is forgotten at a finish once it is KEPT_FOR old in log time: transfer until then (bounded).
        for (int i = 0; i < 80 && (results.size() < 6 || transfers.transaction(first).isPresent()); i++)
        {
            results.add(transfers.transfer(ALICE, BOB, 1, WAIT));
            sleep(250);
        }

        assertThat(results).allMatch(TransferResult::committed);
        assertThat(transfers.transaction(first)).as("forgotten by the coordinator").isEmpty();
        assertThatThrownBy(() -> transfers.transfer(first, ALICE, BOB, 5, WAIT))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refused");
        for (final ParticipantClient bank : List.of(bankA, bankB))
        {
            InJvmCluster.await(() -> bank.status(first) == TxStatus.UNKNOWN ? Boolean.TRUE : null, WAIT,
                "a bank forgetting the decisions below the watermark");
        }
        assertThat(decidedIds(BANK_A)).as("decisions bank-a keeps").isLessThan(results.size());
        final long moved = 5 + results.size() - 1;
        assertThat(bankA.account("alice").orElseThrow()).isEqualTo(new Account(100 - moved, 0));
        assertThat(bankB.account("bob").orElseThrow()).isEqualTo(new Account(100 + moved, 0));
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
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
