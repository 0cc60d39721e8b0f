/**
 * The interfaces the runtime uses to reach the outside world, so that storage and transport can be swapped:
 * {@link dev.ra.spi.Storage} (a node's log, meta and snapshot stores: in memory in ra-core, on disk in ra-log),
 * {@link dev.ra.spi.Transport} (messages between nodes: in-JVM in ra-core, TCP in ra-transport-netty) and the
 * callbacks they report through. Implementations must honour the durability and ordering contracts stated on each
 * method: the core's safety rests on them.
 */
package dev.ra.spi;
