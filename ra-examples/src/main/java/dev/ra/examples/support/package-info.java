/**
 * Helpers shared by the toolbox: copy-on-write collections and the release-cursor policy for the machines, the
 * retrying cluster client and the own thread of client-side objects.
 */
package dev.ra.examples.support;
