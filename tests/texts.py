"""Short news texts written for the tests by the lintas developers (not from any corpus)."""

ID = (
    "Menteri Luar Negeri Indonesia bertemu dengan mitranya dari Kazakhstan di Jakarta pada "
    "hari Selasa untuk membahas kerja sama di bidang energi dan pertambangan.\n"
    "Kedua negara sepakat memperluas ekspor batu bara dan meningkatkan investasi dalam "
    "pengolahan nikel. Pemerintah berharap kerja sama ini membuka pasar baru di Asia Tengah."
)
BG = (
    "Министърът на енергетиката заяви, че България ще увеличи вноса на газ от Азербайджан.\n"
    "Според него споразумението с Русията вече не е изгодно за страната. Преговорите ще "
    "продължат следващата седмица в София, където се очаква делегация от САЩ."
)
EN = (
    "Kazakhstan's president met the Chinese foreign minister in Astana on Monday to discuss "
    "new rail routes to Europe that bypass Russia.\n"
    "Officials said the corridor across the Caspian Sea could carry more oil and grain."
)
MS = (
    "Kerajaan Malaysia akan menandatangani perjanjian baharu dengan syarikat minyak negara "
    "bagi meningkatkan pengeluaran gas asli di Sarawak. Menteri berkata langkah itu penting "
    "kerana permintaan tenaga dijangka meningkat dengan ketara dalam tempoh lima tahun akan "
    "datang."
)
# Cross-language identity: the same places in three languages and a misspelling.
KZ_ID = "Presiden Kazakhtan bertemu pemimpin Rusia di Moskow untuk membahas pasokan uranium."
KZ_BG = "Президентът на Казахстан се срещна с ръководството на Русия в Москва."
KZ_EN = "The president of Kazakhstan met Russian leaders in Moscow to discuss uranium supply."
