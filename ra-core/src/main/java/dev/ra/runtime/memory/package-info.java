/**
 * An in-memory implementation of the storage SPI ({@link dev.ra.spi.Storage}) with simulated durability, for tests,
 * simulations, benchmarks and demos.
 */
package dev.ra.runtime.memory;
