"""Word lists the rules rely on. Kept together so a reader sees every assumption."""

# Capitalized words that are never (part of) a person's name.
STOPWORDS = frozenset("""
the a an in on at of to for from by with without and or but nor if when while after before during since until
as than then there here this that these those it its he she they we i you his her their our your my me us them
him who whom whose which what where why how all any both each every few many most other some such no not only
own same so too very can will just should now also however moreover indeed obviously apparently therefore thus
yes dear please thank thanks concerning regarding despite unlike although though because whether
according besides furthermore nevertheless meanwhile finally first second third next last
one two three four five six seven eight nine ten
mr mrs ms dr ser no nos nr
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
north south east west northern southern eastern western
citation summary credits contents translation english original language
date time place location participants participating present interpreter recorder note minutes
copy secret top strictly confidential journal diary record memorandum telegram cable letter report
attachment appendix background subject enclosure signature archival source
conversation conversations meeting meetings talks negotiations transcript information statement declaration
communique resolution protocol agreement treaty affairs excerpt translator's editor's
government party committee ministry embassy department army navy council office bureau agency
union republic people people's peoples state states kingdom federation
god lord christ
""".split())

DEMONYMS = frozenset("""
soviet russian chinese korean north-korean south-korean american japanese german east-german west-german
polish czech czechoslovak hungarian romanian bulgarian yugoslav albanian mongolian vietnamese cuban
indonesian indian british french italian ethiopian somali egyptian arab israeli iranian iraqi syrian turkish
laotian cambodian burmese thai filipino algerian african asian european western eastern socialist communist
imperialist capitalist fraternal
""".split())

# Titles that, directly before a name, make it a person.
PERSON_TITLES = frozenset("""
comrade comrades cde cdes com mr mrs ms miss dr mister madame sir
premier chairman chairwoman president ambassador minister secretary general marshal attaché attache
counselor counsellor adviser advisor director chief commander governor consul chargé envoy emissary
secretary-general co-chairman vice-premier vice-chairman vice-president king queen prince emperor shah
colonel lieutenant major captain admiral senator professor academician counselor-emissary director-general
generalissimo chancellor secretaries cdes. comrades spokesman assistant deputy leader
""".split())

# Plural titles introduce lists of people: "Comrades Blas Roca and Machado Ventura".
PLURAL_TITLES = frozenset({"comrades", "cdes", "secretaries", "messrs", "generals", "ministers"})

# Head nouns that make a capitalized phrase an organization.
ORG_HEADS = frozenset("""
ministry ministries committee committees embassy embassies party parties department departments directorate
directorates army armies corps council councils agency bureau office foundation university archive archives
government presidium politburo assembly commission staff fleet navy command academy institute secretariat
cabinet parliament senate division divisions brigade regiment garrison volunteers front league
federation association society corporation company bank agency service services administration
headquarters commissariat delegation mission consulate legation section force forces
""".split())

# Head nouns that make a capitalized phrase a place (building or site).
PLACE_HEADS = frozenset("""
palace station building airport hall square hotel residence house lounge room airfield port harbor harbour
street avenue stadium theatre theater museum villa dacha guesthouse
""".split())

SPEECH_VERBS = frozenset("""
said says say stated states noted notes asked asks replied replies answered answers stressed stresses
emphasized emphasizes emphasised remarked remarks added adds informed informs told tells declared declares
expressed expresses agreed agrees proposed proposes spoke speaks pointed explained explains reported reports
suggested suggests observed observes responded responds welcomed welcomes thanked thanks announced announces
promised promises raised raises touched touches visited visits received receives met meets invited invites
arrived arrives left came comes went requested requests asserted asserts mentioned mentions continued
underlined underscored recalled recalls confirmed confirms objected objects insisted insists believed believes
considered considers expressed wished wishes greeted greets accepted accepts rejected rejects refused refuses
explained conveyed conveys transmitted handed presented presents described describes characterized
reacted spoke approved supported supports opposed opposes warned warns urged urges commented
participated attended began begun opened closed concluded concludes
summarizes summarized discusses discuss discussed strategize strategizes reviews review recounts relays
complains complained criticizes criticized praises praised outlines outlined assesses assessed analyzes
writes wrote argues argued claims claimed denies denied meets hopes hoped fears feared
""".split())

# Adverbs that may stand between a name and its verb: "Kim Il Sung then said".
ADVERBS = frozenset("then also again further later first once still immediately finally briefly however "
                    "in turn only".split())

WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "an": 1, "a": 1}

# Common given names: a capitalized word after one of these is a surname ("Fyodor Kuznetsov").
GIVEN_NAMES = frozenset("""
Aleksandr Alexander Aleksandra Aleksei Alexei Alexey Anatoly Anatolii Andrei Andrey Anton Arkady Boris Dmitri Dmitry
Dmitrii Evgeny Evgenii Yevgeny Fyodor Fedor Gennady Georgy Georgii Grigory Grigorii Igor Ivan Iosif Ilya Kirill
Konstantin Lavrenty Lavrentii Leonid Lev Maxim Mikhail Nikita Nikolai Nikolay Oleg Pavel Pyotr Petr Roman Semyon
Sergei Sergey Sergo Stepan Timofei Vadim Valentin Valery Valerii Vasily Vasilii Vasili Viktor Vitaly Vladimir
Vladislav Vyacheslav Yakov Yuri Yury Andrei Anastas Kliment Lazar Mikhail Nikolai Dmitriy Aleksey Ekaterina Elena
Galina Irina Lyudmila Maria Natalia Nina Olga Raisa Svetlana Tatiana Valentina Vera Yelena Zoya
Erich Walter Willi Willy Hermann Otto Wilhelm Friedrich Karl Heinz Hans Kurt Horst Werner Gerhard Helmut Helmuth
Egon Günter Gunter Günther Gunther Klaus Konrad Ludwig Manfred Paul Peter Rudolf Heinrich Joachim Johannes Josef
Joseph Ernst Franz Albert Bernd Dieter Frank Jürgen Jurgen Markus Rainer Reinhard Ulrich Wolfgang Oskar Max
Władysław Wladyslaw Józef Jozef Jerzy Janusz Edward Eugeniusz Stanisław Stanislaw Stefan Tadeusz Zbigniew Zenon
Marian Mieczysław Mieczyslaw Wojciech Edmund Adam Andrzej Bolesław Boleslaw Czesław Czeslaw Kazimierz Ryszard
Antonín Antonin Alexander Gustáv Gustav Ludvík Ludvik Václav Vaclav Jiří Jiri Jan Jaroslav Zdeněk Zdenek Vasil
János Janos Imre Mátyás Matyas Ernő Erno Ferenc Gyula Lajos László Laszlo István Istvan Jenő Zoltán Zoltan Béla Bela
Gheorghe Nicolae Ion Ioan Emil Corneliu Manea Chivu Petre Ștefan Stefan Alexandru Constantin Mircea Vasile
Todor Georgi Dimitar Petar Traicho Vulko Valko Anton Enver Mehmet Josip Edvard Aleksandar Milovan Koča Koca
Fidel Raúl Raul Ernesto Che Osvaldo Carlos Blas Juan José Jose Manuel Antonio Luis Jorge Pedro Francisco Salvador
Augusto Miguel Ramón Ramon Armando Rafael Camilo Ricardo Eduardo Alberto Fernando Emilio Enrique
Charles Jean Pierre Georges François Francois Jacques Maurice Michel Louis Henri Guy Valéry Valery André Andre
Harry Dwight John Lyndon Richard Gerald Jimmy Ronald George Dean Henry Robert Thomas William James Averell Cyrus
Zbigniew Walt McGeorge Llewellyn Chester Douglas Matthew Maxwell Mark Edwin Christian Allen Arthur Hubert Adlai
Herbert Cordell Edward Anthony Winston Clement Harold Alec Margaret Neville Duncan David Michael Patrick Philip
Alfred Anne Elizabeth Mary Jane Gary Bruce Karen Stephen Steven Sergey Anna Beth Caixia Gwenyth Péter Peter
Bernard Mircea Christopher Kathryn Charles Balazs Balázs Csaba Gregg Jim James Jeffrey Kevin Brian Andrew Nicholas
Ahmed Ahmad Mohammed Muhammad Mohamed Gamal Anwar Hosni Houari Haile Mengistu Siad Abdel Abdul Ali Hassan Hussein
Saddam Hafez Yasser Yasir Jawaharlal Indira Rajiv Lal Krishna Sardar Zulfikar Ayub Yahya Mujibur Ngo Norodom Lon
Kwame Sékou Sekou Patrice Julius Jomo Kenneth Agostinho Samora Amílcar Amilcar Ahmed Gamal Habib Muammar Ruhollah
Mohammad Reza Menachem Golda Moshe Yitzhak Levi Shigeru Nobusuke Hayato Eisaku Kakuei Takeo Masayoshi Yasuhiro
Sukarno Suharto Adam Tunku Lee Ferdinand Sirimavo Solomon
""".split())

# Country tags editors put in brackets after names in lists of participants ("T. Zhivkov [Bu]").
COUNTRY_TAGS = {"Bu": "bulgaria", "Bg": "bulgaria", "Cz": "czechoslovakia", "CS": "czechoslovakia",
                "Po": "poland", "Pl": "poland", "Ro": "romania", "Hu": "hungary", "Al": "albania",
                "Mo": "mongolia", "Yu": "yugoslavia", "Cu": "cuba", "Vn": "vietnam"}
