package dev.ra.examples.txn;

import dev.ra.RaSystem;
import dev.ra.ServerId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-side half of the coordinator: the {@link dev.ra.Effect.ModCall} handler that runs a
 * {@link TransferDriver} while this node's coordinator member leads, one thread per driver epoch.
 *
 * <p>Register it under the machine's handler name when building the system, then {@link #attach} the built system (a
 * claim made before that, by a member the build restarted from storage, starts its driver once attached):
 * <pre>{@code
 * DriverHost host = new DriverHost(local, Map.of("bank-a", bankA, "bank-b", bankB), DriverCheckpoint.NONE);
 * RaSystem system = RaSystem.builder()...
 *     .modCallHandler(CoordinatorMachine.DEFAULT_HANDLER, host)
 *     .registerMachine("coordinator", () -> new CoordinatorMachine(local))
 *     .build();
 * host.attach(system);
 * }</pre>
 *
 * <p>A {@link DriverSignal} with a newer epoch for the local member stops the running driver and starts one for that
 * epoch; one with the running epoch wakes it (a transaction began). A driver passes over the log at least every
 * {@value #POLL_MS} ms and ends when its member no longer leads or a newer claim is applied. The handler only starts
 * threads and releases permits, so it never blocks the server's event loop. Thread-safe.
 */
public final class DriverHost implements Consumer<Object>, AutoCloseable
{
    /** Longest pause between two passes of a driver. */
    public static final long POLL_MS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(DriverHost.class);

    private final ServerId localMember;
    private final Map<String, List<ServerId>> participants;
    private final DriverCheckpoint checkpoint;
    private final DriverFactory drivers;
    private RaSystem system;
    private long pendingEpoch;
    private Running running;
    private boolean closed;

    /**
     * @param localMember  the coordinator member on this node.
     * @param participants members of each participant cluster, by cluster name.
     * @param checkpoint   told by drivers at the protocol's critical points ({@link DriverCheckpoint#NONE} normally).
     */
    public DriverHost(final ServerId localMember, final Map<String, List<ServerId>> participants,
        final DriverCheckpoint checkpoint)
    {
        this(localMember, participants, checkpoint, TransferDriver::new);
    }

    /**
     * @param drivers makes the driver of an epoch (a test's stand-in for {@link TransferDriver}).
     */
    DriverHost(final ServerId localMember, final Map<String, List<ServerId>> participants,
        final DriverCheckpoint checkpoint, final DriverFactory drivers)
    {
        this.localMember = Objects.requireNonNull(localMember, "localMember");
        this.participants = Map.copyOf(participants);
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
        this.drivers = Objects.requireNonNull(drivers, "drivers");
    }

    /**
     * Give the host the system its drivers work through; call once the system is built.
     *
     * @param built hosting {@code localMember}.
     */
    public synchronized void attach(final RaSystem built)
    {
        this.system = Objects.requireNonNull(built, "system");
        if (0 != pendingEpoch)
        {
            signal(pendingEpoch);
        }
    }

    /**
     * The {@link dev.ra.Effect.ModCall} entry point: acts on a {@link DriverSignal} for the local member.
     *
     * @param argument of the mod-call.
     */
    @Override
    public void accept(final Object argument)
    {
        if (argument instanceof DriverSignal signal && signal.leader().equals(localMember))
        {
            signal(signal.epoch());
        }
    }

    /**
     * @return the epoch of the driver running here, 0 if none.
     */
    public synchronized long runningEpoch()
    {
        return null == running || !running.thread.isAlive() ? 0 : running.epoch;
    }

    /**
     * Stop the running driver, if any; signals that arrive later are ignored.
     */
    @Override
    public synchronized void close()
    {
        // The member may go on leading while its node shuts down: a claim applied after this must not start a driver
        // that nothing would stop.
        closed = true;
        if (null != running)
        {
            running.stop();
            running = null;
        }
        pendingEpoch = 0;
    }

    private synchronized void signal(final long epoch)
    {
        if (closed)
        {
            return;
        }
        if (null == system)
        {
            pendingEpoch = Math.max(pendingEpoch, epoch);
            return;
        }
        if (null != running && running.epoch == epoch && running.thread.isAlive())
        {
            running.wake.release();
            return;
        }
        if (null != running && running.epoch > epoch)
        {
            return;
        }
        if (null != running)
        {
            running.stop();
        }
        final RaSystem current = system;
        // The clients register the participant clusters with the system: done on the driver's thread, not here on
        // the server's event loop.
        running = new Running(epoch, () ->
        {
            final Map<String, ParticipantClient> clients = new LinkedHashMap<>();
            participants.forEach((name, members) -> clients.put(name, new ParticipantClient(current, members)));
            return drivers.create(current, localMember, epoch, clients, checkpoint);
        });
        running.thread.start();
    }

    /**
     * A driver and its thread.
     */
    private static final class Running
    {
        private final long epoch;
        private final Supplier<DriverPasses> factory;
        private final Semaphore wake = new Semaphore(0);
        private final Thread thread;
        private volatile boolean stopped;

        Running(final long epoch, final Supplier<DriverPasses> factory)
        {
            this.epoch = epoch;
            this.factory = factory;
            this.thread = new Thread(this::run, "transfer-driver-" + epoch);
            this.thread.setDaemon(true);
        }

        void stop()
        {
            stopped = true;
            thread.interrupt();
        }

        private void run()
        {
            LOG.info("transfer driver for epoch {} started", epoch);
            DriverPasses driver = null;
            try
            {
                driver = factory.get();
                int failedInARow = 0;
                while (!stopped && driver.isCurrent())
                {
                    failedInARow = pass(driver, failedInARow);
                    wake.tryAcquire(POLL_MS, TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final RuntimeException ex)
            {
                // A member that stopped (its node shuts down) ends its driver on the way: expected, no warning.
                if (stopped || null == driver || !driver.isCurrent())
                {
                    LOG.debug("transfer driver for epoch {} ended by a failure after it was superseded", epoch, ex);
                }
                else
                {
                    LOG.warn("transfer driver for epoch {} could not start; the next transaction begun restarts it",
                        epoch, ex);
                }
            }
            LOG.info("transfer driver for epoch {} ended", epoch);
        }

        /**
         * A pass that fails outside any transaction (the member's state could not be read: a timeout under load) is
         * tried again at the next poll while the member leads: ending the driver would leave every unfinished
         * transaction undriven until another one begins, which may be never.
         *
         * @return how many passes in a row failed, this one included.
         */
        private int pass(final DriverPasses driver, final int failedInARow)
        {
            try
            {
                driver.runOnce();
                return 0;
            }
            catch (final RuntimeException ex)
            {
                if (stopped)
                {
                    return failedInARow + 1;
                }
                if (0 == failedInARow)
                {
                    LOG.warn("transfer driver for epoch {}: a pass failed; trying again every {} ms", epoch, POLL_MS,
                        ex);
                }
                else
                {
                    LOG.debug("transfer driver for epoch {}: pass failed {} times in a row", epoch, failedInARow + 1,
                        ex);
                }
                return failedInARow + 1;
            }
        }
    }
}
