package io.prunesweep.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadPolicyTest {
    @Test
    void spinsOnlyAsTheOneProcessOnIdleCores() {
        assertEquals("ACTIVE", ThreadPolicy.choose(false, 0.2, 2).policy());
        assertEquals("ACTIVE", ThreadPolicy.choose(false, 1.4, 2).policy());
        assertEquals(
                "PASSIVE",
                ThreadPolicy.choose(true, 0.0, 2).policy(),
                "sibling points share the cores");
        ThreadPolicy.Choice busy = ThreadPolicy.choose(false, 1.5, 2);
        assertEquals("PASSIVE", busy.policy(), "someone else's work already fills the cores");
        assertTrue(busy.reason().contains("load 1.5 on 2 cores"), busy.reason());
        assertEquals("ACTIVE", ThreadPolicy.choose(false, 6.0, 8).policy());
    }
}
