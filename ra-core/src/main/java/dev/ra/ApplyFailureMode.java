package dev.ra;

/**
 * What a member does when its machine's {@link StateMachine#apply} (or another callback: {@code applyBuiltin},
 * {@code stateEnter}, {@code tick}) throws. Set per node with {@link RaSystemBuilder#applyFailureMode}.
 *
 * <p>{@code apply} is a pure function of the state and the command, so an exception it throws is as deterministic as a
 * reply: every member throws on the same entry. {@link #FAIL_COMMAND} makes that exception the command's outcome, the
 * same on every member, so the cluster keeps serving. It relies on the machine being deterministic: a machine that
 * throws on one member and not on another (a clock, a random number, memory pressure) leaves their states divergent,
 * and nothing in Raft can detect or repair that.
 */
public enum ApplyFailureMode
{
    /**
     * The default: the entry counts as applied and leaves the state unchanged, the caller of the command gets a
     * {@link CommandFailedException} naming the machine's exception class and message, the member counts the failure
     * ({@code apply_failures} in {@link ServerOverview#counters()}), logs it, and keeps serving. A throwing
     * {@code stateEnter} or {@code tick} runs no effects and is counted ({@code machine_callback_failures}).
     */
    FAIL_COMMAND,
    /**
     * Ra's behaviour: the member stops, keeping its data. A restarted member replays the same entry and stops again, so
     * a cluster whose machine throws on a committed entry stays down until the machine is fixed.
     */
    STOP_SERVER
}
