@NullMarked
package dev.mkto.cli.perms;

import org.jspecify.annotations.NullMarked;
