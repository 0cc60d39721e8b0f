/**
 * The TCP transport between the nodes ({@link dev.ra.RaSystem}s) of a deployment, built on Netty.
 *
 * <p>{@link dev.ra.transport.netty.NettyTransport} implements {@link dev.ra.spi.Transport}: one connection per pair of
 * nodes carries every server of every cluster; frames are length-prefixed and versioned, each message has a type code
 * and a hand-written encoding ({@link dev.ra.transport.netty.WireCodec}, no Java serialization); writes are coalesced
 * (one flush per event-loop turn); outbound queues are bounded and drop when full (Raft tolerates loss); heartbeats and
 * a failure detector report nodes up and down; optional mutual TLS binds certificates to node ids. No Netty type
 * appears in a public signature of this package.
 *
 * <p>To run one node per JVM from a properties file, see the {@code ra-node} module ({@code dev.ra.node.NodeLauncher}).
 */
package dev.ra.transport.netty;
