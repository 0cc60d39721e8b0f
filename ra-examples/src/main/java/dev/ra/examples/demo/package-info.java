/**
 * The toolbox demo run by {@code demo.sh}: three toolbox nodes (two in child JVMs) and a JVM of application processes
 * exercising the KV store, fenced lock, group membership and task queue, then a {@code kill -9} of the leader's node.
 * Not part of the library.
 */
package dev.ra.examples.demo;
