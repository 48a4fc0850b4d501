package io.greenlight.backfill;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TxSnapshotTest {

    @Test
    void seesTransactionsBeforeXminAndBelowXmaxUnlessInProgress() {
        TxSnapshot snapshot = TxSnapshot.parse("100:105:101,103");
        assertTrue(snapshot.sees(99));
        assertTrue(snapshot.sees(100));
        assertFalse(snapshot.sees(101));
        assertTrue(snapshot.sees(102));
        assertFalse(snapshot.sees(103));
        assertTrue(snapshot.sees(104));
        assertFalse(snapshot.sees(105));
        assertFalse(snapshot.sees(200));
    }

    @Test
    void widensThirtyTwoBitXidsToTheSnapshotsEpoch() {
        long epoch = 1L << 32;
        TxSnapshot snapshot = TxSnapshot.parse((3 * epoch + 10) + ":" + (3 * epoch + 20) + ":");
        assertTrue(snapshot.sees(5), "xid 5 of epoch 3 committed before xmin");
        assertFalse(snapshot.sees(25), "xid 25 of epoch 3 started after the snapshot");
        assertTrue(snapshot.sees(epoch - 5), "an xid just before the epoch boundary is of the previous epoch");
        assertTrue(snapshot.sees(3 * epoch + 15), "a full 64-bit xid is taken as is");
    }

    @Test
    void printsAsPostgresDoes() {
        assertEquals("100:105:101,103", TxSnapshot.parse("100:105:101,103").toString());
        assertEquals("7:7:", TxSnapshot.parse("7:7:").toString());
    }
}
