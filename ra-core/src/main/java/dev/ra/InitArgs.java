package dev.ra;

/**
 * What {@link StateMachine#init} is told about the member it initialises.
 *
 * @param clusterName the friendly name of the cluster.
 * @param serverId    of the member.
 */
public record InitArgs(String clusterName, ServerId serverId)
{
}
