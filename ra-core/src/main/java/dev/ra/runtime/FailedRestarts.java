package dev.ra.runtime;

/**
 * The servers stored on this node whose restart failed (their machine is not registered here, their storage is
 * damaged, their machine's {@code init} threw), with the reason, so that an operator sees a member that is missing
 * from its cluster instead of a node that looks healthy. A server's record goes once it starts, or once its storage is
 * deleted. Bounded as every {@link ServerReasons}. Thread-safe.
 */
final class FailedRestarts extends ServerReasons
{
}
