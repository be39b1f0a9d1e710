"""Invented books/ texts that reserve themselves from AI training: a 2023 novel's copyright page
and a CC BY community zine whose AI notice overrides what its licence would allow.

Pure data ({isbn_*} fields are filled in by invented_books.py).
"""

AI_CLAUSE_NOVEL = """\
THE CARTOGRAPHER'S APPRENTICE

A Novel

DELPHINE MARROWBY

ORRIN LAKE PRESS


Orrin Lake Press
1200 Alder Street, Suite 4
Portland, OR 97299

Copyright (c) 2023 by Delphine Marrowby
All rights reserved.

No part of this book may be reproduced or used in any manner without the prior written permission
of the copyright owner, except for the use of brief quotations in a book review.

No part of this book may be used or reproduced in any manner for the purpose of training artificial
intelligence technologies or systems. The publisher and author expressly reserve this work from the
text and data mining exception in accordance with Article 4(3) of the Digital Single Market
Directive 2019/790.

This is a work of fiction. Names, characters, places and incidents are the products of the author's
imagination. Any resemblance to actual persons, living or dead, is coincidental.

First edition, October 2023

ISBN {isbn_hc} (hardcover)
ISBN {isbn_eb} (ebook)

Cover design by Ruth Abernathy-Kole


ONE

The map arrived rolled inside a length of drainpipe, sealed at both ends with candle wax, and Wren
knew before she cut it open that her uncle was dead. He had never once sent anything by post that he
could carry himself.

She spread it on the kitchen table and weighted the corners with the salt cellar, the teapot and
two of her mother's library books. It was the coast north of Gallow Point, drawn in the brown ink he
mixed from oak galls, every cove and shoal labelled in his cramped capitals. It was also wrong. The
lighthouse stood half a mile too far south. The river mouth had moved. And where the Pennock sands
should have been there was a small island she had never heard of, inked in with more care than
anything else on the sheet, and named in letters so fine she had to fetch a magnifying glass to read
them.

FOR W., it said. WHEN YOU ARE READY.

Her mother came in from the garden, saw the drainpipe, saw Wren's face, and sat down without taking
off her boots.

"He always did like a puzzle," she said at last. "More than he liked people, some years."

"There's no island there."

"No," said her mother. "There isn't. Put the kettle on."
"""

AI_CLAUSE_ZINE = """\
THE TIDEWATER ZINE
Issue 7 - Spring 2024
Stories, recipes and tide tables from the Kestrelmouth estuary

Published by the Tidewater Writers' Circle, Kestrelmouth.

Licence: every piece in this issue is shared under the Creative Commons Attribution 4.0
International licence (CC BY 4.0), https://creativecommons.org/licenses/by/4.0/ - copy it, print
it, pin it to the noticeboard, just credit the writer and the zine.

AI notice: the contributors do not consent to the use of this zine, in whole or in part, to train
artificial intelligence or machine-learning models. This reservation of rights is made under
Article 4(3) of Directive (EU) 2019/790 and applies whatever the licence above allows.


CONTENTS
The eel man of Brackwater - Joss Trelawny-Pike
Three soups for a cold April - Marta Olsztyn
What the harbour master saw - Priya Venkataraman-Hole
Tide table, April to June


THE EEL MAN OF BRACKWATER
by Joss Trelawny-Pike

Every village on the estuary had one, my grandmother said, and ours was called Amos. He lived in a
shed at the end of the salt-pan causeway with a stove, a bed, two hundred yards of net and a radio
that only found the shipping forecast. In autumn, when the silver eels ran for the sea on the dark
of the moon, he worked all night and sold them at the back door of the Anchor by breakfast.

Nobody knew how old he was. Nobody knew where he had come from, though the accent was somewhere
north of the river. When the council knocked down the sheds in 1987 he simply moved his stove onto a
boat, and when the boat sank he moved it into the church porch until the vicar found him a room.
He died in that room at ninety-one, or ninety-six, depending on whose story you believe, and left
the nets to the primary school.

They are still there, hanging from the ceiling of the hall, and every child in Kestrelmouth has
stood underneath them at some point and been told to look up.
"""
