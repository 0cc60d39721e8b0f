package dev.ra.examples.lease;

/**
 * The command type of the {@link LeasedKvMachine} ({@link dev.ra.StateMachine#commandType()}): a
 * {@link LeasedKvCommand}, a {@link SessionCommand} or a {@link dev.ra.examples.watch.WatchCommand}, the only
 * families that extend it. Declaring it lets Ra refuse a command of any other type with an
 * {@link dev.ra.InvalidCommandException} before it reaches the log, where its {@code apply} would fail on every member
 * (and, with {@code ApplyFailureMode.STOP_SERVER}, stop them all, again at each restart). It cannot be sealed: the
 * watch commands live in another package, and a sealed type of an unnamed module permits subtypes of its own package
 * only.
 */
public interface LeasedKvMachineCommand
{
}
