/**
 * The data-directory tool: {@link dev.ra.tool.RaDataTool} inspects, verifies and dumps a ra-log data directory
 * ({@code dev.ra.log.FileStorage}), read-only and without the storage's lock, through
 * {@code dev.ra.log.DataDirectoryReader}. See docs/OPERATIONS.md, "The data-directory tool".
 */
package dev.ra.tool;
