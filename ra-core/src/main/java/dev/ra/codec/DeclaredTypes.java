package dev.ra.codec;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The enum and record classes a restricted generic codec may name: those declared, and those reachable from them
 * through the permitted subclasses of a sealed type, the component types of a record (with their type arguments, so a
 * {@code List<Item>} component reaches {@code Item}), array element types and type bounds. Found once, from classes
 * the application gave, never from bytes.
 */
final class DeclaredTypes
{
    private DeclaredTypes()
    {
    }

    /**
     * @param roots the declared types.
     * @return the names of the enum and record classes reachable from them.
     */
    static Set<String> reachableFrom(final Class<?>... roots)
    {
        final Set<String> names = new TreeSet<>();
        final Set<Type> seen = new HashSet<>();
        final Deque<Type> pending = new ArrayDeque<>();
        for (final Class<?> root : roots)
        {
            if (null == root)
            {
                throw new IllegalArgumentException("a type declared to the generic codec is null");
            }
            pending.add(root);
        }
        while (!pending.isEmpty())
        {
            final Type type = pending.poll();
            if (!seen.add(type))
            {
                continue;
            }
            if (type instanceof Class<?> c)
            {
                visitClass(c, names, pending);
            }
            else if (type instanceof ParameterizedType p)
            {
                pending.add(p.getRawType());
                Collections.addAll(pending, p.getActualTypeArguments());
            }
            else if (type instanceof WildcardType w)
            {
                Collections.addAll(pending, w.getUpperBounds());
                Collections.addAll(pending, w.getLowerBounds());
            }
            else if (type instanceof TypeVariable<?> v)
            {
                Collections.addAll(pending, v.getBounds());
            }
            else if (type instanceof GenericArrayType a)
            {
                pending.add(a.getGenericComponentType());
            }
        }
        return Collections.unmodifiableSet(names);
    }

    private static void visitClass(final Class<?> c, final Set<String> names, final Deque<Type> pending)
    {
        if (c.isArray())
        {
            pending.add(c.getComponentType());
        }
        else if (c.isEnum())
        {
            names.add(c.getName());
        }
        else if (c.isRecord())
        {
            names.add(c.getName());
            for (final RecordComponent component : c.getRecordComponents())
            {
                pending.add(component.getGenericType());
            }
        }
        if (c.isSealed())
        {
            Collections.addAll(pending, c.getPermittedSubclasses());
        }
    }
}
