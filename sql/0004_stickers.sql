-- The sticker pack the project ships (issue 4): pack 1, "Neru", drawn by tools/sticker_gen.cpp.
-- The images are assets/stickers/1/<id>.png; nerutalk-migrate puts each row's blob into storage
-- under its storage_key (storage_keys::sticker) when it is missing there.
INSERT INTO sticker_packs (id, name, description, author, sort_order)
VALUES (1, 'Neru', 'Neru the round lilac cat: happy, sad, sleepy, in love and more.', 'NeruTalk', 1);

INSERT INTO stickers (id, pack_id, name, emoji, storage_key, mime_type, width, height, sort_order)
VALUES
    (1, 1, 'Happy', '😊', 'stickers/packs/1/1.png', 'image/png', 512, 512, 1),
    (2, 1, 'Laughing', '😂', 'stickers/packs/1/2.png', 'image/png', 512, 512, 2),
    (3, 1, 'Sad', '😢', 'stickers/packs/1/3.png', 'image/png', 512, 512, 3),
    (4, 1, 'Crying', '😭', 'stickers/packs/1/4.png', 'image/png', 512, 512, 4),
    (5, 1, 'Angry', '😠', 'stickers/packs/1/5.png', 'image/png', 512, 512, 5),
    (6, 1, 'Surprised', '😮', 'stickers/packs/1/6.png', 'image/png', 512, 512, 6),
    (7, 1, 'In love', '😍', 'stickers/packs/1/7.png', 'image/png', 512, 512, 7),
    (8, 1, 'Thumbs up', '👍', 'stickers/packs/1/8.png', 'image/png', 512, 512, 8),
    (9, 1, 'Sleepy', '😴', 'stickers/packs/1/9.png', 'image/png', 512, 512, 9),
    (10, 1, 'Thinking', '🤔', 'stickers/packs/1/10.png', 'image/png', 512, 512, 10),
    (11, 1, 'Cool', '😎', 'stickers/packs/1/11.png', 'image/png', 512, 512, 11),
    (12, 1, 'Waving', '👋', 'stickers/packs/1/12.png', 'image/png', 512, 512, 12),
    (13, 1, 'Wink', '😜', 'stickers/packs/1/13.png', 'image/png', 512, 512, 13),
    (14, 1, 'Party', '🥳', 'stickers/packs/1/14.png', 'image/png', 512, 512, 14),
    (15, 1, 'Big heart', '❤️', 'stickers/packs/1/15.png', 'image/png', 512, 512, 15);
