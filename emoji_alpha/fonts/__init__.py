"""Colour emoji fonts: glyph extraction (sbix, CBDT, COLR, SVG), codepoint naming, matching.

``extract`` pulls every colour glyph out of a font as an RGBA PNG named after its codepoint
sequence; ``naming`` turns cmap + GSUB ligatures into those names; ``match`` pairs two folders
of extracted glyphs (by name, then by perceptual hash).
"""
