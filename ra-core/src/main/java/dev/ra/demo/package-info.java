/**
 * A runnable tour of the library: {@link dev.ra.demo.ThreeNodeDemo}.
 */
package dev.ra.demo;
