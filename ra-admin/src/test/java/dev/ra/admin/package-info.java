/**
 * Tests of the admin endpoint: its HTTP answers, its security, its JSON, and the live view in a real browser.
 */
package dev.ra.admin;
