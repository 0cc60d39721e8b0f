/**
 * Property-based testing inside ordinary JUnit tests: {@link dev.ra.testkit.property.Property#forAll} checks a
 * property on values from a {@link dev.ra.testkit.property.Gen}. Every random decision is recorded
 * ({@link dev.ra.testkit.property.Choices}), so a failure names a seed that replays it and is shrunk to a small case
 * by simplifying the recorded decisions ({@link dev.ra.testkit.property.Shrinker}).
 */
package dev.ra.testkit.property;
