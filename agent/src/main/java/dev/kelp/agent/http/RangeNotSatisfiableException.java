package dev.kelp.agent.http;

import dev.kelp.agent.object.KelpException;

/** 416: the Range starts at or past the end of the object. */
class RangeNotSatisfiableException extends KelpException {

    private final long size;

    RangeNotSatisfiableException(long size) {
        super(416, "InvalidRange", "the requested range is not satisfiable: the object has " + size + " bytes");
        this.size = size;
    }

    long size() {
        return size;
    }
}
