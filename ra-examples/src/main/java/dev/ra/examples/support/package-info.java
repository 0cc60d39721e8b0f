/**
 * Helpers shared by the toolbox machines: copy-on-write collections and the release-cursor policy.
 */
package dev.ra.examples.support;
