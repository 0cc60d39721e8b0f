/**
 * Curator-style recipes on the {@link dev.ra.examples.tree.TreeClient}: a leader latch, a lock on ephemeral sequential
 * nodes, a barrier and a double barrier.
 */
package dev.ra.examples.tree.recipes;
