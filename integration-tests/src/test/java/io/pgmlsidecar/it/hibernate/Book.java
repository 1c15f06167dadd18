package io.pgmlsidecar.it.hibernate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "it_hib_book")
public class Book {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "it_hib_book_seq")
    @SequenceGenerator(name = "it_hib_book_seq", sequenceName = "it_hib_book_seq", allocationSize = 50)
    private Long id;

    @Column(nullable = false)
    private String title;

    @Column(precision = 10, scale = 2)
    private BigDecimal price;

    private int pages;

    private Instant publishedAt;

    private UUID isbnUuid;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "author_id", nullable = false)
    private Author author;

    protected Book() {}

    public Book(String title, BigDecimal price, int pages, Instant publishedAt, Author author) {
        this.title = title;
        this.price = price;
        this.pages = pages;
        this.publishedAt = publishedAt;
        this.author = author;
        this.isbnUuid = UUID.nameUUIDFromBytes(title.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Long getId() {
        return id;
    }

    public String getTitle() {
        return title;
    }

    public BigDecimal getPrice() {
        return price;
    }

    public void setPrice(BigDecimal price) {
        this.price = price;
    }

    public int getPages() {
        return pages;
    }

    public Instant getPublishedAt() {
        return publishedAt;
    }

    public UUID getIsbnUuid() {
        return isbnUuid;
    }

    public Author getAuthor() {
        return author;
    }
}
