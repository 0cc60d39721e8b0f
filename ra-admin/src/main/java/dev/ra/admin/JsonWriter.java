package dev.ra.admin;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes JSON text from maps, collections, strings, numbers, booleans and null (anything else as its string form),
 * so that the admin endpoint needs no JSON library. Map keys are written as their string form; a map's
 * iteration order is the order of its members.
 */
final class JsonWriter
{
    /** Deeper maps and collections are written as text: a machine's overview is not trusted to be a small tree. */
    static final int MAX_DEPTH = 32;

    private JsonWriter()
    {
    }

    /**
     * @param value a tree of maps, collections and plain values (no arrays). What cannot be written as JSON is
     *              written as text and never fails the whole: a map or collection that contains itself, one nested
     *              deeper than {@value #MAX_DEPTH}, a value whose {@code toString} throws.
     * @return its JSON text.
     */
    static String write(final Object value)
    {
        final StringBuilder out = new StringBuilder(256);
        append(out, value, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out.toString();
    }

    /**
     * @param open the maps and collections being written around this value, to find one that contains itself.
     */
    private static void append(final StringBuilder out, final Object value, final Set<Object> open)
    {
        if ((value instanceof Map<?, ?> || value instanceof Collection<?>) &&
            (open.contains(value) || open.size() >= MAX_DEPTH))
        {
            appendString(out, open.contains(value) ? "(contains itself)" : "(nested deeper than " + MAX_DEPTH +
                " levels)");
            return;
        }
        if (null == value)
        {
            out.append("null");
        }
        else if (value instanceof Boolean || value instanceof Integer || value instanceof Long ||
            value instanceof Short || value instanceof Byte)
        {
            out.append(value);
        }
        else if (value instanceof Number number)
        {
            final double d = number.doubleValue();
            // JSON has no NaN or infinities: those are unknown values.
            out.append(Double.isFinite(d) ? String.valueOf(number) : "null");
        }
        else if (value instanceof Map<?, ?> map)
        {
            open.add(map);
            out.append('{');
            boolean first = true;
            for (final Map.Entry<?, ?> entry : map.entrySet())
            {
                if (!first)
                {
                    out.append(',');
                }
                first = false;
                appendString(out, text(entry.getKey()));
                out.append(':');
                append(out, entry.getValue(), open);
            }
            out.append('}');
            open.remove(map);
        }
        else if (value instanceof Collection<?> items)
        {
            open.add(items);
            out.append('[');
            boolean first = true;
            for (final Object item : items)
            {
                if (!first)
                {
                    out.append(',');
                }
                first = false;
                append(out, item, open);
            }
            out.append(']');
            open.remove(items);
        }
        else
        {
            appendString(out, text(value));
        }
    }

    /**
     * @return the value's text, or what went wrong making it: a machine's toString may throw, or need a class that
     *         is not on the class path.
     */
    private static String text(final Object value)
    {
        try
        {
            return String.valueOf(value);
        }
        catch (final RuntimeException | LinkageError | StackOverflowError ex)
        {
            return "(toString failed: " + ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")";
        }
    }

    private static void appendString(final StringBuilder out, final String text)
    {
        out.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    // Control characters, and < > & so that the text is safe inside HTML as well.
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
