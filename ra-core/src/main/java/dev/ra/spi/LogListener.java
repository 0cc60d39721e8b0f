package dev.ra.spi;

/**
 * Receives durability reports from a {@link LogStore}. Called from the store's thread; implementations hand the news
 * to the server's mailbox and return at once. Assumed non-throwing.
 */
public interface LogListener
{
    /**
     * Every entry up to {@code index} is durable, and the entry at {@code index} has term {@code term}. A report whose
     * term no longer matches the log (the suffix was overwritten since) must be ignored by the receiver.
     *
     * @param index of the last durable entry.
     * @param term  of that entry.
     */
    void onWritten(long index, long term);

    /**
     * The store failed and will not report further progress.
     *
     * @param cause of the failure.
     */
    void onFailure(Throwable cause);
}
