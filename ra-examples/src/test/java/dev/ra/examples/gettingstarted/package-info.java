/**
 * The code the README and the getting-started guide show, compiled and run, with a check that the documents still
 * quote it exactly; and a check that the library modules package as libraries.
 */
package dev.ra.examples.gettingstarted;
