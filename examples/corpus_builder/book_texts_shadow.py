"""Invented shadow-library cases for books/: download-stamped file names, a pasted Library Genesis
catalogue record, and a CC BY essay that only *discusses* shadow libraries.

Pure data; the file bodies of SHADOW_LIBRARY_BOOKS are public-domain passages read from Gutenberg.
"""

SHADOW_LIBRARY_BOOKS = [
    # (file name pattern, PG source, passage marker, case)
    (
        "Fire Worship - Nathaniel Hawthorne (z-lib.org).txt",
        "Hawthorne, Nathaniel/Fire Worship.txt",
        "It is a great revolution",
        "Z-Library download stamp '(z-lib.org)' in the file name; body is an 1843 public-domain essay",
    ),
    (
        "Dickens, Charles - The Magic Fishbone - libgen.li.txt",
        "Dickens, Charles/The Magic FishboneA Holiday Romance from the Pen of Miss Alice Rainbird, "
        "Aged 7.txt",
        "There was once a King, and he had a Queen",
        "LibGen mirror stamp 'Author - Title - libgen.li' in the file name; body is an 1868 story",
    ),
    (
        "{md5}.txt",
        "Hawthorne, Nathaniel/Dr. Bullivant(From The Doliver Romance and Other Pieces Tales and "
        "Sketches).txt",
        "We will suppose ourselves standing in Cornhill",
        "bare 32-hex MD5 file name (how LibGen / Anna's Archive store files); body is an 1830s sketch",
    ),
    (
        "aacid__zlib3_files__20230808T014342Z__22433983__hMnfRNMbTRg5X7VPZ7hTxA.txt",
        "Lang, Andrew/The Princess Nobody A Tale of Fairyland.txt",
        "Once upon a time, when Fairies",
        "Anna's Archive container id ('aacid__<collection>__<timestamp>__<id>__<shortuuid>') as the name",
    ),
    (
        "The Sand-Hills of Jutland -- Hans Christian Andersen -- 2011 -- Lanternfish Classics -- {md5} "
        "-- Anna's Archive.txt",
        "Andersen, H. C. (Hans Christian)/The Sand-Hills of Jutland.txt",
        "This is a story from the Jutland sand-hills",
        "Anna's Archive name 'Title -- Author -- Year -- Publisher -- <md5> -- Anna's Archive'",
    ),
]

LIBGEN_RECORD = """\
Library Genesis
---------------
ID: 2291847
Title: Principles of Estuarine Hydraulics
Author(s): Mallender, R. T.; Quist, Annelie
Series: Coastal Engineering Monographs; 14
Publisher: Tidewater Academic Press
City: Rotterdam
Year: 2014
Edition: 2nd ed.
Language: English
Pages: 412[398]
ISBN: {isbn}
Time added: 2016-03-11 09:14:52
Time modified: 2019-08-02 17:40:03
Size: 8 Mb (8391204 bytes)
Extension: pdf
MD5: {md5}
Topic: Technology\\\\Hydraulic engineering
Mirrors: [1] library.lol/main/{md5}  [2] libgen.li/ads.php?md5={md5}
---------------

"""

LIBGEN_BODY = """\
CHAPTER 1
WHY ESTUARIES MIX

1.1 A meeting of two waters

An estuary is the reach of a river in which fresh water meets the sea and neither wins. Twice a day
the tide pushes a wedge of dense salt water up the channel beneath the lighter river flow; twice a
day it drains away again. What happens in between, the slow exchange of salt, sediment and heat
across that moving interface, decides where mud settles, where oysters grow and how far upstream a
water intake can safely be placed.

Engineers have described estuaries in three broad classes. In a salt-wedge estuary the river
dominates and the two layers barely mix: a sharp halocline separates them and the wedge advances and
retreats with the tide like a drawer being opened and shut. In a partially mixed estuary the tidal
currents are strong enough to stir the interface, and salinity increases smoothly with depth. In a
well-mixed estuary the water column is nearly uniform from surface to bed, and salinity changes
mainly along the channel rather than across it.

1.2 The estuarine Richardson number

The class an estuary falls into can be estimated from a single dimensionless ratio, comparing the
buoyancy supplied by the river with the mixing energy supplied by the tide. Where the ratio is large
the water stays stratified; where it is small the tide wins. The ratio is not a law of nature but a
convenient summary, and later chapters show where it misleads: in narrow channels with strong
bends, in estuaries with large tidal flats, and during the few days a year when a flood pushes the
salt out to sea altogether.
"""

SHADOW_LIBRARY_ESSAY = """\
Notes on the Grey Shelves
What shadow libraries are, and why a training pipeline has to recognise them

by Ines Carvalho-Baird

This essay is licensed under the Creative Commons Attribution 4.0 International licence (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/. You may copy, adapt and reuse it, including
commercially, as long as you credit the author.


1. A library without a front desk

For most readers a library is a building with a lending desk and a budget. The libraries this essay
is about have neither. Library Genesis began in the late 2000s as a collection of scanned textbooks
shared among students; Z-Library grew out of it and added a polished storefront; Anna's Archive
presents itself as a search engine over both. Together they are often called shadow libraries: large
collections of books and articles, most of them still in copyright, distributed without the
permission of their authors or publishers.

Their defenders point to students in countries where a single textbook costs a month's wages. Their
critics point out that the authors of those textbooks are rarely paid twice. Both are right about
something, and neither argument settles the question that matters here, which is narrower: may a
company train a commercial language model on files taken from these collections? Courts in several
countries have now said, in different words, that it may not, or at least that it may not assume it
can.

2. How the files give themselves away

Files from shadow libraries tend to carry marks of where they came from. Downloads from one mirror
used to end their names with a bracketed "(z-lib.org)"; files from another append the mirror's
domain after the title; bulk torrents name every file by the MD5 hash of its contents, and the newer
metadata dumps use long identifiers that begin with a fixed prefix and a collection name. Scholars
who studied the Books3 data set found whole directory trees copied from a private tracker.

None of these marks proves anything on its own, and none of them appears in this essay by accident:
a text that merely describes piracy is not pirated. A pipeline that denies this essay because it
mentions Library Genesis would be making the same mistake as a spam filter that blocks every email
about spam.

3. What a careful pipeline keeps

The practical rule is simple to state and tedious to follow. Keep a record of where every file came
from. Treat file names, embedded catalogue records and hash-named files as evidence, not as proof,
and send anything ambiguous to a person. Never let a file whose only provenance is a shadow library
reach a training run, whatever its contents appear to be, because the contents of a file are the one
thing a pirate copy does not change.

Ines Carvalho-Baird writes about archives, access and the law. This essay first appeared in the
newsletter Open Stacks (open-stacks.example), issue 12.
"""
