package dev.ra.examples.tree;

/**
 * The command type of the {@link TreeMachine} ({@link dev.ra.StateMachine#commandType()}): a {@link TreeCommand} or
 * a {@link dev.ra.examples.lease.SessionCommand}, the only two families that extend it. Declaring it lets Ra refuse a
 * command of any other type with an {@link dev.ra.InvalidCommandException} before it reaches the log, where its
 * {@code apply} would fail on every member (and, with {@code ApplyFailureMode.STOP_SERVER}, stop them all, again at
 * each restart). It cannot be sealed: the session commands live in another package, and a sealed type of an unnamed
 * module permits subtypes of its own package only.
 */
public interface TreeMachineCommand
{
}
