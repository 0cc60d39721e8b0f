package dev.ra.log;

import java.nio.ByteBuffer;

/**
 * Receives the valid records of a WAL file in order, batch BATCH records excluded.
 */
interface WalRecordVisitor
{
    /**
     * @param type          record type, one of {@link WalFormat}'s constants.
     * @param serverRef     compact server ref.
     * @param index         log index (meaning depends on the type).
     * @param term          term (meaning depends on the type).
     * @param file          the whole file's bytes.
     * @param payloadOffset absolute offset of the payload in {@code file}.
     * @param payloadLength payload length.
     */
    void onRecord(byte type, int serverRef, long index, long term, ByteBuffer file, int payloadOffset,
        int payloadLength);
}
