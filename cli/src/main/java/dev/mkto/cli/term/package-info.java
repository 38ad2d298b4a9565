@NullMarked
package dev.mkto.cli.term;

import org.jspecify.annotations.NullMarked;
