/**
 * The performance harness ({@link dev.ra.bench.Harness}): bounded figures that print one JSON line each, the floor
 * program they are judged against, and the drivers shared with the peer comparison. Not a dependency of any library
 * module; see {@code docs/benchmarks.md}.
 */
package dev.ra.bench;
