package dev.ra.examples.tree;

import dev.ra.ProcessRef;
import java.util.Objects;

/**
 * One watch held by a process on a path; the same watch set twice is one watch.
 *
 * @param watcher process the events are sent to.
 * @param path    watched.
 * @param mode    what fires it and whether it stays.
 */
public record TreeWatch(ProcessRef watcher, String path, WatchMode mode)
{
    /** Checks that the parts are not null. */
    public TreeWatch
    {
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mode, "mode");
    }
}
