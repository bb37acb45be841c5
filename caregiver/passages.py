"""Reading passages for the speaking-rate measure: one per language, written for this app.

A result is compared only with earlier readings of the same passage (its key), since words a
minute depend on the text. Each passage stores its word and syllable count; `voice` is the
espeak-ng voice the tests use to read it aloud.

The passages were written for this app (none is taken from a published reading passage): a calm
morning walk to a small market, in plain words, with no names, no digits and nothing medical.
They tell the same little story in each language, but each is written in that language rather
than translated word for word, so their word counts differ (agglutinative languages such as
Tamil and Bengali pack more into a word).

How the syllables were counted, by hand, as the passage is read aloud:

- en: dictionary syllables, word by word ("every" as three, "our" as one).
- es, pt_BR: syllables word by word, without joining vowels across words (no synalepha).
- fr: spoken syllables in a careful reading: a word-final mute e is silent unless dropping it
  would put three consonants together; the e of one-syllable words (je, de, me) is spoken;
  elided words (l'air, j'achète, jusqu'au) are counted as heard.
- hi, bn: spoken syllables (aksharas as pronounced), with the usual deletion of the inherent
  vowel (e.g. hi चलकर chal-kar, two; bn আমরা am-ra, two); ai/au-type vowels count as one.
- ta: spoken syllables, i.e. aksharas that carry a vowel (a consonant with the pulli closes
  the syllable before it); the short final u is counted, as it is spoken.
- ar: Modern Standard Arabic with case endings inside a phrase and pausal forms (no case
  ending) before a comma or full stop; the article after a vowel adds no syllable of its own.
"""
from dataclasses import dataclass
import unicodedata


@dataclass(frozen=True)
class Passage:
    key: str        # e.g. "en-1"; a new version of a passage gets a new key
    lang: str       # the app's locale code
    voice: str | None
    words: int
    syllables: int
    text: str


PASSAGES = {p.key: p for p in (
    Passage(
        "en-1", "en", "en-gb", 63, 76,
        "Every morning I walk slowly to the small market near our home. "
        "The air is cool, and the birds sing in the trees along the road. "
        "I buy fresh bread, a few ripe tomatoes, and some green apples. "
        "The woman at the fruit stall always smiles and asks about my day. "
        "Then I carry my bag home and make a cup of tea.",
    ),
    Passage(
        "es-1", "es", "es", 62, 118,
        "Cada mañana camino despacio hasta el pequeño mercado del barrio. "
        "El aire está fresco y los pájaros cantan en los árboles de la calle. "
        "Compro pan recién hecho, unos tomates maduros y algunas manzanas verdes. "
        "La señora del puesto de frutas siempre me saluda con una sonrisa y me pregunta "
        "cómo estoy. "
        "Después vuelvo a casa y preparo una taza de té.",
    ),
    Passage(
        "fr-1", "fr", "fr-fr", 61, 83,
        "Chaque matin, je marche doucement jusqu'au petit marché du quartier. "
        "L'air est frais et les oiseaux chantent dans les arbres de la rue. "
        "J'achète du pain chaud, quelques tomates mûres et des pommes vertes. "
        "La marchande de fruits me salue toujours avec un sourire et me demande comment "
        "je vais. "
        "Ensuite, je rentre à la maison et je prépare un thé.",
    ),
    Passage(
        "pt_BR-1", "pt_BR", "pt-br", 60, 112,
        "Toda manhã eu caminho devagar até a pequena feira do bairro. "
        "O ar está fresco e os passarinhos cantam nas árvores da rua. "
        "Eu compro pão quentinho, alguns tomates maduros e umas maçãs verdes. "
        "A senhora da banca de frutas sempre me cumprimenta com um sorriso e pergunta "
        "como eu estou. "
        "Depois eu volto para casa e preparo um café.",
    ),
    Passage(
        "hi-1", "hi", "hi", 60, 104,
        "हर सुबह हम आराम से चलकर घर के पास वाले छोटे बाज़ार जाते हैं। "
        "हवा ठंडी होती है और रास्ते के पेड़ों पर चिड़ियाँ गाती हैं। "
        "हम ताज़ा धनिया, कुछ पके टमाटर और थोड़े मीठे केले ख़रीदते हैं। "
        "फल बेचने वाली महिला हमेशा मुस्कुराकर हमारा हाल पूछती है। "
        "फिर हम थैला लेकर घर लौटते हैं और गरम चाय बनाते हैं।",
    ),
    Passage(
        "bn-1", "bn", "bn", 57, 117,
        "প্রতিদিন সকালে আমরা ধীরে ধীরে হেঁটে বাড়ির কাছের ছোট বাজারে যাই। "
        "বাতাস তখন বেশ ঠান্ডা থাকে আর রাস্তার গাছে গাছে পাখিরা গান গায়। "
        "আমরা সেখান থেকে তাজা ধনেপাতা, কয়েকটা পাকা টমেটো আর কিছু মিষ্টি কলা কিনি। "
        "ফলের দোকানের দিদি সবসময় হাসিমুখে আমাদের সবার খোঁজখবর নেন। "
        "তারপর আমরা ব্যাগ নিয়ে বাড়ি ফিরি আর সবাই মিলে গরম চা খাই।",
    ),
    Passage(
        "ta-1", "ta", "ta", 57, 178,
        "தினமும் காலையில் நாங்கள் மெதுவாக நடந்து எங்கள் வீட்டுக்கு அருகில் உள்ள சிறிய "
        "சந்தைக்குப் போவோம். "
        "அந்த நேரத்தில் காற்று மிகவும் குளிர்ச்சியாக இருக்கும், சாலையோர மரங்களில் பறவைகள் "
        "இனிமையாகப் பாடும். "
        "அங்கே நாங்கள் புதிய கொத்தமல்லியும், நன்கு பழுத்த தக்காளிகளும், இனிப்பான "
        "வாழைப்பழங்களும் வாங்குவோம். "
        "பழக்கடையில் இருக்கும் அம்மா எப்போதும் புன்னகையுடன் எங்களிடம் அன்பாக நலம் விசாரிப்பார். "
        "பிறகு நாங்கள் நிறைந்த பையைத் தூக்கிக்கொண்டு மெல்ல வீட்டுக்குத் திரும்புவோம். "
        "வீட்டில் எல்லோரும் ஒன்றாக அமர்ந்து சூடான தேநீர் குடிப்போம்.",
    ),
    Passage(
        "ar-1", "ar", "ar", 58, 157,
        "في كل صباح أمشي على مهل إلى السوق الصغير القريب من بيتنا. "
        "يكون الهواء باردا ولطيفا، وتغني العصافير فوق الأشجار على جانبي الطريق. "
        "أشتري من هناك خبزا طازجا وبعض حبات الطماطم الناضجة وقليلا من التفاح الأخضر. "
        "تبتسم بائعة الفاكهة دائما حين تراني، وتسألني عن حالي وعن أهلي. "
        "ثم أعود بأغراضي إلى البيت وأعد لنفسي كوبا من الشاي الساخن.",
    ),
)}
BY_LANGUAGE = {p.lang: p for p in PASSAGES.values()}


def passage_for(locale):
    """The passage in the reader's language, else the English one."""
    return BY_LANGUAGE.get(str(locale), BY_LANGUAGE["en"])


def word_count(text):
    """Words as the passage counts them: tokens between spaces, punctuation aside."""
    count = 0
    for token in text.split():
        if any(not unicodedata.category(char).startswith("P") for char in token):
            count += 1
    return count


for _passage in PASSAGES.values():
    # The stored count is what the rate is worked out from; it must match the text.
    assert _passage.words == word_count(_passage.text), _passage.key
del _passage
