package dev.ra.log;

import java.nio.file.Path;

/**
 * A file of a format version this code does not read: written by a newer release (or by one too old to read). It is
 * never taken for damage: nothing is cut, recycled, recreated or skipped because of it; the storage or server that
 * needs the file does not open, with this message naming the file, the version found and the versions read. See
 * docs/UPGRADES.md.
 */
final class UnsupportedFormatException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    UnsupportedFormatException(final Path path, final int found, final int oldest, final int newest)
    {
        super(path + ": unsupported format version " + found + " (this release reads " +
            (oldest == newest ? "version " + oldest : "versions " + oldest + " to " + newest) + "; " +
            (found > newest ? "the file was written by a newer release, which must be used to open it" :
            "the file was written by an older release; see docs/UPGRADES.md") + ")");
    }
}
