package dev.ra.examples.tree;

import java.util.List;
import java.util.Objects;

/**
 * One node of the tree: its data, its metadata and the names of its children.
 *
 * @param path     absolute path, as {@code /a/b}.
 * @param data     the node's data (text; empty for none).
 * @param stat     the node's metadata.
 * @param children names of the children (not paths), in creation order.
 */
public record ZNode(String path, String data, Stat stat, List<String> children)
{
    /** Checks that the parts are not null. */
    public ZNode
    {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(stat, "stat");
        Objects.requireNonNull(children, "children");
    }
}
