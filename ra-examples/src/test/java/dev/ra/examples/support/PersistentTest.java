package dev.ra.examples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PersistentTest
{
    @Test
    void shouldLeaveTheOriginalMapUntouchedAndKeepInsertionOrder()
    {
        final Map<String, Integer> one = Persistent.put(Map.of(), "b", 1);
        final Map<String, Integer> two = Persistent.put(one, "a", 2);
        final Map<String, Integer> replaced = Persistent.put(two, "b", 3);

        assertThat(one).containsExactly(Map.entry("b", 1));
        assertThat(two).containsExactly(Map.entry("b", 1), Map.entry("a", 2));
        assertThat(replaced).containsExactly(Map.entry("b", 3), Map.entry("a", 2));
        assertThatThrownBy(() -> replaced.put("c", 4)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldReturnTheSameMapWhenRemovingAnAbsentKey()
    {
        final Map<String, Integer> map = Persistent.put(Map.of(), "a", 1);

        assertThat(Persistent.remove(map, "x")).isSameAs(map);
        assertThat(Persistent.remove(map, "a")).isEmpty();
        assertThat(map).containsEntry("a", 1);
    }

    @Test
    void shouldCopyListsOnEveryChange()
    {
        final List<String> list = Persistent.append(List.of("a"), "b");

        assertThat(Persistent.prepend(list, "z")).containsExactly("z", "a", "b");
        assertThat(Persistent.tail(list)).containsExactly("b");
        assertThat(Persistent.set(list, 1, "c")).containsExactly("a", "c");
        assertThat(Persistent.removeIf(list, "a"::equals)).containsExactly("b");
        assertThat(Persistent.removeIf(list, "q"::equals)).isSameAs(list);
        assertThat(list).containsExactly("a", "b");
        assertThatThrownBy(() -> Persistent.tail(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
