/**
 * The admin endpoint of a node: an HTTP/1.1 server on Netty ({@link dev.ra.admin.AdminServer}) serving Prometheus
 * metrics, the status of every local server as JSON, a readiness check, and the live view page of the node's
 * clusters.
 */
package dev.ra.admin;
