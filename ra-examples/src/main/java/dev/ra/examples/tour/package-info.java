/**
 * A runnable tour of the library: {@link dev.ra.examples.tour.ThreeNodeDemo}.
 */
package dev.ra.examples.tour;
