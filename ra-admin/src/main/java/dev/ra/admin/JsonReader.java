package dev.ra.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON text into maps ({@link LinkedHashMap}), lists, strings, numbers ({@code Long} for integers, else
 * {@code Double}), booleans and null: enough for the status of a peer's admin endpoint, without a JSON library.
 * Nesting is limited to {@value #MAX_DEPTH} levels.
 */
final class JsonReader
{
    private static final int MAX_DEPTH = 32;

    private final String text;
    private int pos;

    private JsonReader(final String text)
    {
        this.text = text;
    }

    /**
     * @param text JSON text.
     * @return the value it holds.
     * @throws IllegalArgumentException for malformed text, naming the offset.
     */
    static Object read(final String text)
    {
        final JsonReader reader = new JsonReader(text);
        final Object value = reader.value(0);
        reader.skipSpace();
        if (reader.pos != text.length())
        {
            throw reader.error("text after the value");
        }
        return value;
    }

    private Object value(final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        skipSpace();
        if (pos >= text.length())
        {
            throw error("unexpected end");
        }
        final char c = text.charAt(pos);
        return switch (c)
        {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(final int depth)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}')
        {
            pos++;
            return map;
        }
        while (true)
        {
            skipSpace();
            if (peek() != '"')
            {
                throw error("expected a member name");
            }
            final String key = string();
            skipSpace();
            expect(':');
            map.put(key, value(depth + 1));
            skipSpace();
            if (peek() == ',')
            {
                pos++;
            }
            else
            {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array(final int depth)
    {
        final List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']')
        {
            pos++;
            return list;
        }
        while (true)
        {
            list.add(value(depth + 1));
            skipSpace();
            if (peek() == ',')
            {
                pos++;
            }
            else
            {
                expect(']');
                return list;
            }
        }
    }

    private String string()
    {
        pos++;
        final StringBuilder out = new StringBuilder();
        while (pos < text.length())
        {
            final char c = text.charAt(pos++);
            if (c == '"')
            {
                return out.toString();
            }
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            if (pos >= text.length())
            {
                break;
            }
            final char escaped = text.charAt(pos++);
            switch (escaped)
            {
                case '"', '\\', '/' -> out.append(escaped);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' ->
                {
                    if (pos + 4 > text.length())
                    {
                        throw error("short unicode escape");
                    }
                    try
                    {
                        out.append((char)Integer.parseInt(text.substring(pos, pos + 4), 16));
                    }
                    catch (final NumberFormatException ex)
                    {
                        throw error("bad unicode escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + escaped);
            }
        }
        throw error("unterminated string");
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, pos))
        {
            throw error("unexpected character");
        }
        pos += word.length();
        return value;
    }

    private Object number()
    {
        final int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0)
        {
            pos++;
        }
        final String digits = text.substring(start, pos);
        if (digits.isEmpty())
        {
            throw error("unexpected character");
        }
        try
        {
            if (digits.indexOf('.') < 0 && digits.indexOf('e') < 0 && digits.indexOf('E') < 0)
            {
                return Long.parseLong(digits);
            }
            return Double.parseDouble(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw error("bad number " + digits);
        }
    }

    private char peek()
    {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void skipSpace()
    {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0)
        {
            pos++;
        }
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException("malformed JSON at offset " + pos + ": " + what);
    }
}
