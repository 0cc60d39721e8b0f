/**
 * One Ra node per JVM: {@link dev.ra.node.NodeLauncher} starts a {@link dev.ra.RaSystem} on the Netty transport with
 * ra-log storage from a small properties file or {@code key=value} arguments ({@link dev.ra.node.NodeConfig}), and
 * {@link dev.ra.node.NodeControl} is the standard-input control loop that a test, a demo or an operator drives a node
 * process with; {@link dev.ra.node.NodeJvm} starts a node in a child JVM and drives it through that loop.
 *
 * <p>This module sits above the transport and the log, so that neither depends on the other.
 */
package dev.ra.node;
