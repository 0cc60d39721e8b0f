package dev.ra.log;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the segment writer puts one server's entries from a WAL file, and who hears about it.
 */
interface FlushTarget
{
    /**
     * @return the server's segments directory.
     */
    Path segmentsDirectory();

    /**
     * @return the sequence number for the next segment file; each call returns a new, higher one.
     */
    long takeSegmentSequence();

    /**
     * The segments are durable; once every server has dropped the flushed entries from its memtable, the WAL file
     * they came from is recycled.
     *
     * @param written segments, in sequence order.
     * @param replay  what the WAL file held for this server.
     */
    void onFlushed(List<SegmentFile> written, ServerReplay replay);
}
