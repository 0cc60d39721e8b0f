package dev.ra.examples.tree;

/**
 * ZooKeeper's path rules: absolute, slash-separated, no empty, "." or ".." segment, no trailing slash but for the root.
 * The path of a sequential create is a prefix the sequence number is appended to, so it only has to make a valid path
 * with that number: {@code /q/} (making {@code /q/0000000000}) is a valid prefix.
 */
public final class TreePaths
{
    /** The root's path. */
    public static final String ROOT = "/";

    private TreePaths()
    {
    }

    /**
     * @param path to check.
     * @return {@code null} if it is a valid path, else why not.
     */
    public static String problem(final String path)
    {
        if (null == path || path.isEmpty() || path.charAt(0) != '/')
        {
            return "path must start with '/', got '" + path + "'";
        }
        if (ROOT.equals(path))
        {
            return null;
        }
        if (path.endsWith("/"))
        {
            return "path must not end with '/', got '" + path + "'";
        }
        for (final String segment : path.substring(1).split("/", -1))
        {
            if (segment.isEmpty() || ".".equals(segment) || "..".equals(segment))
            {
                return "path has an empty, '.' or '..' segment: '" + path + "'";
            }
            if (segment.indexOf('\u0000') >= 0)
            {
                return "path has a null character: '" + path + "'";
            }
        }
        return null;
    }

    /**
     * @param path       to check.
     * @param sequential whether it is the prefix of a sequential create.
     * @return {@code null} if it is valid as such, else why not.
     */
    public static String problem(final String path, final boolean sequential)
    {
        // The digits appended are not a '/', '.' or a null character: the prefix is valid exactly when the prefix
        // with any digit is a valid path.
        return sequential && null == problem(path + "0") ? null : problem(path);
    }

    /**
     * @param path a valid path other than the root.
     * @return its parent's path.
     */
    public static String parent(final String path)
    {
        final int slash = path.lastIndexOf('/');
        return 0 == slash ? ROOT : path.substring(0, slash);
    }

    /**
     * @param path a valid path other than the root.
     * @return its last segment.
     */
    public static String name(final String path)
    {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * @param parent a valid path.
     * @param name   of a child.
     * @return the child's path.
     */
    public static String child(final String parent, final String name)
    {
        return ROOT.equals(parent) ? "/" + name : parent + "/" + name;
    }

    /**
     * @param ancestor a valid path.
     * @param path     a valid path.
     * @return whether {@code path} is {@code ancestor} or lies below it.
     */
    public static boolean covers(final String ancestor, final String path)
    {
        return ancestor.equals(path) || ROOT.equals(ancestor) || path.startsWith(ancestor + "/");
    }

    /**
     * @param name of a sequential node.
     * @return its 10-digit sequence suffix as a number, or -1 if it has none.
     */
    public static long sequence(final String name)
    {
        if (name.length() < 10)
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name.substring(name.length() - 10));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }
}
