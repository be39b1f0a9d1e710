"""Invented front matter and notices for books/: a modern edition of a public-domain text, a
Project-Gutenberg-style file that is still in copyright, and a 1911 book with an expired notice.

Pure data: every name, publisher and ISBN stem is invented ({isbn_*} fields are filled in by
invented_books.py).
"""

MODERN_EDITION_FRONT = """\
BROWNE'S FOLLY
and Other Salem Sketches

NATHANIEL HAWTHORNE

Edited with an Introduction and Notes by
MARGUERITE OLANDER

PELLMONT & VANE CLASSICS


Pellmont & Vane Classics
An imprint of Pellmont & Vane Publishing Ltd
7 Cordwainer Row, Norwich NR9 9ZZ

First published in this edition 2019

Introduction and Notes (c) Marguerite Olander 2019
This edition (c) 2019 Pellmont & Vane Publishing Ltd. All rights reserved.

No part of this publication may be reproduced, stored in a retrieval system, or transmitted, in any
form or by any means, electronic, mechanical, photocopying, recording or otherwise, without the
prior written permission of the publisher.

The moral right of the editor has been asserted.

British Library Cataloguing in Publication Data
A catalogue record for this book is available from the British Library

Library of Congress Cataloging-in-Publication Data
Names: Hawthorne, Nathaniel, 1804-1864, author. | Olander, Marguerite, editor.
Title: Browne's folly and other Salem sketches / Nathaniel Hawthorne ; edited with an
  introduction and notes by Marguerite Olander.
Description: Norwich : Pellmont & Vane Classics, 2019. | Series: Pellmont & Vane classics |
  Includes bibliographical references.
Identifiers: ISBN {isbn_pb} (paperback) | ISBN {isbn_eb} (ebook)
Subjects: Salem (Mass.)--Description and travel. | Essex County (Mass.)--Fiction.
Classification: DDC 813/.3--dc23

ISBN {isbn_pb} (paperback)
ISBN {isbn_eb} (ebook)

Typeset in 11/14pt Caslon by Wherry Lane Typesetting
Printed and bound by Fenmoor Print Services

10 9 8 7 6 5 4 3 2 1


INTRODUCTION

Hawthorne wrote the short letter printed here in the late summer of 1860, a few weeks after he came
home from seven years abroad. He had been asked for a story to help a Salem charity and, as he
admits with some embarrassment, he no longer trusted himself to invent one. What he offered instead
is a walk: up the long whale-backed ridge outside the town, past the cellar hole of a mansion that
was never lived in, and back down into memory.

Readers who know only The Scarlet Letter may be surprised by how light the piece is. The irony is
gentle, the sentences loosen as the hill rises, and the moral arrives, as it often does in the late
sketches, disguised as a shrug. This edition follows the text of the first printing and records the
few later changes in the notes. Spelling and punctuation have not been modernised.

M.O.
Norwich, 2019


A NOTE ON THE TEXT

The text of "Browne's Folly" is taken from its first appearance in print. Obvious printer's errors
have been silently corrected.


"""

PG_STYLE_COPYRIGHTED = """\
The Project Gutenberg eBook of The Weir at Hollins Cross, by Winifred Ashcombe

Copyright (C) 1998 by Winifred Ashcombe

Please read this notice before you do anything else with this file. Unlike most eBooks in this
collection, this one is NOT in the public domain. The author holds the copyright and has allowed
Project Gutenberg to share it. You may read it, and you may give unchanged copies to other people
for their own private reading, free of charge. Any other use -- selling it, printing it for sale,
adapting it, or including it in another collection or product -- needs the written permission of
the author or her estate.


Title: The Weir at Hollins Cross

Author: Winifred Ashcombe

Release Date: March, 2003

Language: English

Character set encoding: UTF-8

*** START OF THE PROJECT GUTENBERG EBOOK THE WEIR AT HOLLINS CROSS ***




THE WEIR AT HOLLINS CROSS

by Winifred Ashcombe


I

The river below Hollins Cross was never loud. It went about its business under the alders with a
kind of apology, and it was only at the weir, where the old mill race split from the main stream,
that it raised its voice at all. We children used to lie on the stone lip of the weir in August with
our arms in the water up to the shoulder, feeling for the crayfish that lived in the cracks, and the
noise of it filled our heads so completely that we could not hear our mothers calling.

It was from the weir that I first saw Mr Lovibond's motor car, in the summer of 1951, coming down the
lane from the Cross far too fast, with the hood down and a woman in a green scarf beside him who was
laughing at something he had said. My brother Alec said she was a film star. I said she was not,
because film stars did not come to Hollins Cross, and we fought about it on the stone until we both
fell in.

She was not a film star. She was Mr Lovibond's new wife, and by the end of that summer she had bought
the mill.

*** END OF THE PROJECT GUTENBERG EBOOK THE WEIR AT HOLLINS CROSS ***

This file is a copyrighted eBook, shared by Project Gutenberg with the permission of the copyright
holder. The Project Gutenberg trademark licence does not make it public domain: the copyright notice
at the top of this file applies to the whole text.
"""

COPYRIGHT_1911_BOOK = """\
COUNTRY WALKS ABOUT FENNICK VALE

WITH NOTES ON ITS CHURCHES, MILLS AND ANCIENT ROADS

BY

ARTHUR PENNYCROSS

ILLUSTRATED

LOXLEY & DUNN
BOSTON AND LONDON
1911

Copyright, 1911,
BY LOXLEY & DUNN.

All rights reserved.

Published April, 1911


PREFACE

The walks described in these pages were taken, for the most part, in the spring and early summer of
the year 1909, when the writer was a guest at the Bell Inn at Fennick St. Mary and had no other
duty than to be out of doors. They are set down in the order in which they were taken, and no
attempt has been made to arrange them into a system. The walker who desires a system will find one
in the Ordnance map; the walker who desires company may, perhaps, find some in this book.


WALK THE FIRST

FROM FENNICK ST. MARY TO THE OLD SALT ROAD

Leave the village by the lane beside the churchyard wall, where a stone stile of great age admits
the traveller to a field path. The path climbs gently for the better part of a mile through pasture,
and at the top of the rise the whole breadth of the vale lies open to the south: the river winding
among its willows, the three mills at their several weirs, and beyond them the long blue line of the
downs, upon which, if the day be clear, the ancient trackway may be traced like a chalk mark drawn
by a careful hand.

It is upon this trackway, called in the district the Old Salt Road, that the pack-horses once
carried salt from the pans at Brackwater to the markets of the inland towns. Its course is marked
here and there by thorn trees of remarkable size, which the country people will tell you were
planted as guides for travellers in snow. Whether this be true the writer cannot say; but it is
certain that a man who followed the thorns on a winter evening would come, in the end, to an inn.

The church of St. Mary deserves a longer visit than most travellers give it. The tower is of the
fourteenth century, the nave a good deal older, and in the north aisle is a brass of a wool merchant
and his two wives which the sexton, for a small consideration, will uncover from its carpet.
"""
