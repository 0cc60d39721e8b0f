package dev.ra;

import java.util.Objects;

/**
 * The stable identity of one Raft member: a server name unique on its node, plus the node id.
 *
 * <p>A server id survives restarts, unlike a thread or an object reference, so it is what clusters, clients and
 * the log refer to. Cluster names are only friendly labels; several clusters may share a node but never a server id.
 *
 * @param name of the server, unique on its node.
 * @param node id of the node ({@link RaSystem}) that hosts the server.
 */
public record ServerId(String name, String node)
{
    /**
     * Requires a name and a node id of 1 to 255 characters each, without whitespace, control characters, {@code @}
     * or half of a surrogate pair (which UTF-8 cannot carry).
     */
    public ServerId
    {
        Names.requireValid(name, "server name");
        Names.requireValid(node, "node id");
    }

    /**
     * Parses the {@code name@node} form produced by {@link #toString()}.
     *
     * @param text to parse.
     * @return the server id.
     * @throws IllegalArgumentException if the text is not of the form {@code name@node}.
     */
    public static ServerId parse(final String text)
    {
        Objects.requireNonNull(text, "text");
        final int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1)
        {
            throw new IllegalArgumentException("server id must look like name@node, got '" + text + "'");
        }
        return new ServerId(text.substring(0, at), text.substring(at + 1));
    }

    /**
     * The record's own hash (31 times the name's plus the node's), written out: a server id keys the maps every
     * message and call looks up, and the generated method's chain of method handles showed in profiles of those
     * lookups where this does not.
     */
    @Override
    public int hashCode()
    {
        return 31 * name.hashCode() + node.hashCode();
    }

    /**
     * The record's own equality (both components equal), written out for the reason {@link #hashCode()} is.
     */
    @Override
    public boolean equals(final Object other)
    {
        return this == other || other instanceof ServerId id && name.equals(id.name) && node.equals(id.node);
    }

    @Override
    public String toString()
    {
        return name + "@" + node;
    }
}
